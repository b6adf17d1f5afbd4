import Foundation

/// The sidecar `fixture-truth.json` of `cn-fixture openimages`: for every object the mesh and
/// camera its photo was rendered from and its true box, and every defect planted on purpose with
/// the stage, status and reason kind it must end with. Tests read it; `cn-ingest openimages`
/// records the meshes and poses into `object_mesh` for the `render` synthesis backend.
public struct FixtureTruth: Codable, Sendable, Equatable {
    /// One object of the fixture.
    public struct Object: Codable, Sendable, Equatable {
        /// The object id as the manifest keys it: MaskPath without ".png".
        public var objectID: String
        /// The ImageID of its photo.
        public var imageID: String
        /// The LabelName, e.g. "/m/0cnfx2".
        public var label: String
        /// The class display name.
        public var className: String
        /// Absolute path of the mesh rendered into the photo.
        public var mesh: String
        /// The camera of that render: row-major 3x4 world-to-camera [R|t] (Blender camera axes, Z-up world,
        /// scene normalised into [-0.5, 0.5]^3 as zero123's renders).
        public var worldToCamera: [Double]
        /// Side of the square render pasted 1:1 into the photo.
        public var renderSize: Int
        /// Supersampling of that render.
        public var supersampling: Int
        /// The true box of the object's mask in the UPRIGHT photo, pixels [x, y, w, h].
        public var box: [Int]
        /// The upright photo's size (after applying Rotation).
        public var photoWidth: Int
        public var photoHeight: Int
        /// The image list's Rotation (degrees counter-clockwise to turn the stored JPEG upright).
        public var rotation: Int
        /// The planted defect this object carries, nil for a clean object.
        public var defect: String?
    }

    /// A defect planted on purpose and how the pipeline must report it.
    public struct Defect: Codable, Sendable, Equatable {
        /// The defect's name, e.g. "corrupt-jpeg".
        public var defect: String
        /// The stage whose work row reports it.
        public var stage: String
        /// The work item (an object id, or "file:line" for a malformed CSV row).
        public var item: String
        /// 'failed' or 'skipped'.
        public var status: String
        /// The expected `work.error_kind`.
        public var kind: String
    }

    /// The split written.
    public var split: String
    /// The seed used.
    public var seed: UInt64
    /// Every object, clean and defective, in ImageID order.
    public var objects: [Object]
    /// Every planted defect.
    public var defects: [Defect]
    /// false when built with `--no-meshes`: the meshes are listed for tests, but `cn-ingest` must
    /// not link them (no `object_mesh` rows), so every object needs a model-made view as a real
    /// Open Images object does. nil (older truth files) means true.
    public var meshesKnown: Bool?

    /// The file name inside the fixture root.
    public static let fileName = "fixture-truth.json"

    /// Loads the truth of a fixture root; nil when the root has none.
    public static func load(root: String) throws -> FixtureTruth? {
        let path = root + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(FixtureTruth.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Deterministic JSON bytes (sorted keys).
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }
}
