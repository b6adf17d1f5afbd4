import Foundation

/// Locations shared by the tests: the repository root, the real assimp test models, scratch folders.
public enum TestPaths {
    /// The repository root, found from this file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Debian's assimp-testmodels folder (real glTF/OBJ/PLY files, valid and broken).
    public static let assimpModels = URL(fileURLWithPath: "/usr/share/assimp/models")

    /// The folder holding the built products (executables) of the running test build.
    public static var productsFolder: URL {
        var url = Bundle.main.bundleURL
        if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
        return url
    }

    /// A fresh, empty scratch folder under the system temporary folder, unique to the caller.
    public static func scratchFolder(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("cn-tests-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Writes `text` to a fresh file and returns its path.
public func writeSample(_ text: String, name: String = "sample.csv", in folder: URL? = nil) -> String {
    let folder = folder ?? TestPaths.scratchFolder("datasets")
    let url = folder.appendingPathComponent(name)
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8))
    return url.path
}
