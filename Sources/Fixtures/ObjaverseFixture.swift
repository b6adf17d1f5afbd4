import Assets
import Foundation
import Support

/// `cn-fixture objaverse --out DIR`: a small collection in the Objaverse 1.0 layout
/// (the objaverse package, github.com/allenai/objaverse-xl: `glbs/000-000/{uid}.glb`, `object-paths.json`, `metadata/000-000.json` keyed by
/// uid with name, tags, categories, license) made from the real meshes of Debian's
/// assimp-testmodels (GLBs copied as they are, OBJ and PLY converted to GLB), for the demo and the tests.
public enum ObjaverseFixture {
    /// One source mesh of the fixture and the metadata it gets.
    public struct Source: Sendable {
        /// Path under the models folder.
        public let path: String
        /// Display name.
        public let name: String
        /// Tags and categories, as Objaverse lists them.
        public let tags: [String]
        /// Objaverse-style category.
        public let category: String
    }

    /// The real meshes used (all present in assimp-testmodels 5.x).
    public static let sources: [Source] = [
        Source(path: "glTF2/BoxTextured-glTF-Binary/BoxTextured.glb", name: "Textured box", tags: ["box", "crate"], category: "furniture-home"),
        Source(path: "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", name: "Two-cylinder engine", tags: ["engine", "machine"], category: "cars-vehicles"),
        Source(path: "OBJ/spider.obj", name: "Spider", tags: ["spider", "animal"], category: "animals-pets"),
        Source(path: "PLY/Wuson.ply", name: "Wuson", tags: ["toy", "figure"], category: "characters-creatures"),
        Source(path: "OBJ/cube_with_vertexcolors.obj", name: "Coloured cube", tags: ["cube", "toy"], category: "furniture-home"),
    ]

    /// The default folder of Debian's assimp-testmodels.
    public static let defaultModels = "/usr/share/assimp/models"

    /// The uid the fixture gives a source: 32 hex digits from the sha256 of its path.
    public static func uid(for source: Source) -> String {
        String(SHA256.hex("cn-fixture/objaverse/" + source.path).prefix(32))
    }

    /// Writes the collection under `out` and returns the uids written.
    @discardableResult
    public static func build(out: String, models: String = defaultModels) throws -> [String] {
        var paths: [String: String] = [:]
        var metadata: [String: Any] = [:]
        for source in sources {
            let input = URL(fileURLWithPath: models).appendingPathComponent(source.path)
            guard FileManager.default.fileExists(atPath: input.path) else {
                throw FixtureError(message: "missing \(input.path): install Debian's assimp-testmodels (scripts/setup does)")
            }
            let glb = input.pathExtension.lowercased() == "glb"
                ? Array(try Data(contentsOf: input)) : try AssetLoader.convertToGLB(url: input)
            let uid = uid(for: source)
            let relative = "glbs/000-000/\(uid).glb"
            try AtomicFile.write(glb, to: out + "/" + relative)
            paths[uid] = relative
            metadata[uid] = [
                "uid": uid, "name": source.name, "license": "by",
                "tags": source.tags.map { ["name": $0, "slug": $0] },
                "categories": [["name": source.category, "slug": source.category]],
                "faceCount": 0, "source": "assimp-testmodels/" + source.path,
            ] as [String: Any]
        }
        try AtomicFile.write(try JSONText.document(paths), to: out + "/object-paths.json")
        try AtomicFile.write(try JSONText.document(metadata), to: out + "/metadata/000-000.json")
        return paths.keys.sorted()
    }
}

/// A fixture that cannot be built, with what to do.
public struct FixtureError: DescribedError {
    /// What is wrong.
    public let message: String
    public var kind: String { "fixture" }
}
