import Foundation
import Support

/// Writes a set of files into a staging folder beside `destination` and publishes it with
/// `AtomicFile.publishFolder` (fsync every file, rename into place), so an export folder is
/// either complete or absent — the objaverse-xl "render to temp, verify, publish" rule.
enum ExportFolder {
    static func publish(files: [(name: String, bytes: [UInt8])], to destination: String) throws {
        let parent = (destination as NSString).deletingLastPathComponent
        try AtomicFile.makeFolders(parent)
        let staging = AtomicFile.temporaryPath(for: destination)
        try AtomicFile.makeFolders(staging)
        do {
            for file in files {
                guard FileManager.default.createFile(atPath: staging + "/" + file.name, contents: Data(file.bytes)) else {
                    throw ShardError(.writeFailed, "cannot write \(staging)/\(file.name) (check free space and permissions)")
                }
            }
            let written = try FileManager.default.contentsOfDirectory(atPath: staging)
            guard written.count == files.count else {
                throw ShardError(.exportIncomplete, "staging folder \(staging) holds \(written.count) files, expected \(files.count)")
            }
            try AtomicFile.publishFolder(staging: staging, to: destination)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    static func isJPEG(_ bytes: [UInt8]) -> Bool { bytes.count > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF }
    static func isPNG(_ bytes: [UInt8]) -> Bool { bytes.count > 8 && Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] }
}
