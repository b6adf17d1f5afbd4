import Support

/// `cn-shard --format zero123`: Zero-1-to-3's `views_release` layout (Zero-1-to-3, github.com/cvlab-columbia/zero123
/// section 3; cvlab-columbia/zero123 ldm/data/simple.py ObjaverseData): `{root}/{uid}/{i:03d}.png`
/// (RGBA render) + `{i:03d}.npy` (3x4 world-to-camera [R|t], Blender camera axes), and
/// `{root}/valid_paths.json`, the JSON list of object folders the loader trains on.
public enum Zero123Export {
    /// One view of an object: the encoded PNG and its 3x4 world-to-camera matrix (row-major, 12 values).
    public struct View: Sendable {
        /// PNG bytes of the render.
        public var png: [UInt8]
        /// Row-major 3x4 [R|t].
        public var pose: [Float]

        /// Creates a view.
        public init(png: [UInt8], pose: [Float]) {
            self.png = png
            self.pose = pose
        }
    }

    /// "{i:03d}".
    public static func stem(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// Writes `{root}/{uid}/` atomically with `{i:03d}.png` and `{i:03d}.npy` (float32, shape (3, 4)) per view.
    @discardableResult
    public static func writeObject(root: String, uid: String, views: [View]) throws -> String {
        guard !uid.isEmpty, !uid.contains("/"), !uid.hasPrefix(".") else {
            throw ShardError(.badExportName, "object uid \"\(uid)\" must be a plain name")
        }
        guard !views.isEmpty else { throw ShardError(.badExportViews, "object \(uid) has no views") }
        var files: [(name: String, bytes: [UInt8])] = []
        for (index, view) in views.enumerated() {
            guard ExportFolder.isPNG(view.png) else {
                throw ShardError(.badExportImage, "object \(uid) view \(index) is not PNG data")
            }
            guard view.pose.count == 12, view.pose.allSatisfy(\.isFinite) else {
                throw ShardError(.badPose, "object \(uid) view \(index): pose must be 12 finite values (3x4)")
            }
            files.append((stem(index) + ".png", view.png))
            files.append((stem(index) + ".npy", NPY.encode(float32: view.pose, shape: [3, 4])))
        }
        let destination = root + "/" + uid
        try ExportFolder.publish(files: files, to: destination)
        return destination
    }

    /// Writes `{root}/valid_paths.json` (the object folder names, in the given order) atomically.
    public static func writeValidPaths(root: String, uids: [String]) throws {
        try AtomicFile.write(try JSONValue.array(uids.map { .string($0) }).encoded(), to: root + "/valid_paths.json")
    }
}
