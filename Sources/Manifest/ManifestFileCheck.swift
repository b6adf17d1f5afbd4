import Foundation

/// Checks that an existing file named manifest.sqlite is an SQLite database before SQLite sees it:
/// SQLite takes a zero-byte file for a new, empty database, and a stage would then "finish" on
/// nothing. Header as in the SQLite file format, section 1.3 ("SQLite format 3\0").
enum ManifestFileCheck {
    /// The 16-byte magic string every SQLite 3 database file starts with.
    static let magic = Array("SQLite format 3\0".utf8)

    /// Throws `ManifestError.notAManifest` when the file exists but is empty or not SQLite, and
    /// `ManifestError.missing` when it does not exist and `mustExist`.
    static func verify(path: String, mustExist: Bool) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw ManifestError.unreadable(path: path, reason: "the file cannot be read (permissions?)")
            }
            if mustExist { throw ManifestError.missing(path: path) }
            return
        }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: magic.count)) ?? Data())
        if header.isEmpty { throw ManifestError.notAManifest(path: path, reason: "the file is empty (0 bytes)") }
        if header != magic { throw ManifestError.notAManifest(path: path, reason: "the file is not an SQLite database") }
    }
}
