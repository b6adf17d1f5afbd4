import Foundation
import GRDB

/// Creates a new manifest all at once: the schema is built in a private file beside it and then
/// linked into place, so a process killed while creating leaves either no manifest or a complete
/// one, never the zero-byte file SQLite makes first (which `ManifestFileCheck` must refuse).
/// Follows the "temp, fsync, rename" rule of docs/CONTRACTS.md.
enum ManifestCreation {
    /// The prefix of the private files, followed by the creating process's id.
    static func temporaryPrefix(for path: String) -> String { path + ".creating-" }

    /// Creates the manifest at `path` with every migration applied, unless a file is already there.
    static func createIfMissing(path: String, configuration: Configuration) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        removeAbandoned(path: path)
        let temporary = temporaryPrefix(for: path) + "\(getpid())"
        removeDatabaseFiles(temporary)
        do {
            let pool = try DatabasePool(path: temporary, configuration: configuration)
            try Migrations.apply(to: pool)
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try pool.close()
        } catch {
            removeDatabaseFiles(temporary)
            throw error
        }
        // link(2) never replaces: when another process created the manifest meanwhile, keep theirs.
        // A filesystem without hard links (EPERM, ENOTSUP) gets a rename unless one appeared.
        var status = link(temporary, path) == 0 ? 0 : errno
        if status == EPERM || status == ENOTSUP, !FileManager.default.fileExists(atPath: path) {
            status = rename(temporary, path) == 0 ? 0 : errno
        }
        removeDatabaseFiles(temporary)
        if status != 0 && status != EEXIST {
            throw ManifestError.unreadable(path: path, reason: "cannot create the manifest (\(String(cString: strerror(status))))")
        }
    }

    /// Removes private files left by creating processes that no longer run (killed mid-creation).
    static func removeAbandoned(path: String) {
        let folder = (path as NSString).deletingLastPathComponent, prefix = (temporaryPrefix(for: path) as NSString).lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        for name in names where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(digits), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
    }

    /// Removes a database file and its WAL companions.
    private static func removeDatabaseFiles(_ file: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: file + suffix) }
    }
}
