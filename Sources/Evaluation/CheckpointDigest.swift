// The `checkpoint_sha256` of a report (issue 12): the sha256 of a checkpoint file's bytes, or for a
// folder (a diffusers layout) of every regular file's bytes below it, concatenated in the byte-wise
// order of their relative paths.
import Foundation
import Support

/// Hashes checkpoints as reports name them.
public enum CheckpointDigest {
    /// The sha256 (hex) of `path`: a file's bytes, or a folder's files concatenated in sorted relative-path order.
    public static func sha256(of path: String) throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw EvaluationError(.badInput, "checkpoint \(path) does not exist")
        }
        var hasher = SHA256()
        for file in isFolder.boolValue ? try filesBelow(path) : [path] { try stream(file, into: &hasher) }
        return hasher.finalizeHex()
    }

    /// Every regular file below `folder`, as absolute paths in byte-wise order of their relative paths.
    public static func filesBelow(_ folder: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw EvaluationError(.badInput, "cannot list checkpoint folder \(folder)")
        }
        var relative: [String] = []
        while let name = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            let full = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue { relative.append(name) }
        }
        return relative.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { (folder as NSString).appendingPathComponent($0) }
    }

    /// Feeds a file to `hasher` in 4 MiB reads.
    static func stream(_ path: String, into hasher: inout SHA256) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw EvaluationError(.badInput, "cannot read checkpoint file \(path)") }
        defer { try? handle.close() }
        while true {
            let chunk = try handle.read(upToCount: 4 << 20) ?? Data()
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0) }
        }
    }
}
