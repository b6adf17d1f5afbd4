import Foundation
import GRDB
import Support

/// The workdir's SQLite manifest (`WORKDIR/manifest.sqlite`, WAL, foreign keys on): the single
/// source of truth of docs/CONTRACTS.md. Readers may use it from any thread; only the stage runner writes
/// while a stage runs, in batched transactions.
public final class ManifestStore: Sendable {
    /// The file name of the manifest inside a workdir (CONTRACT).
    public static let fileName = "manifest.sqlite"

    /// The underlying GRDB pool (WAL; concurrent readers, one writer).
    public let pool: DatabasePool
    /// The manifest's path.
    public let path: String

    /// How a manifest is opened.
    public enum Mode: Sendable {
        /// Stages and merges: created when missing, pending migrations applied.
        case readWrite
        /// Readers (`cn-manifest query`, `show`, ...): never created, migrated or written; works
        /// on a read-only file or mount.
        case readOnly
    }

    /// Opens the manifest at `path`: `readWrite` creates it and applies pending migrations,
    /// `readOnly` opens an existing one without writing. Either refuses a file that is not a
    /// manifest (empty, not SQLite) and a manifest with a migration this build does not know.
    public init(path: String, mode: Mode = .readWrite) throws {
        self.path = path
        try ManifestFileCheck.verify(path: path, mustExist: mode == .readOnly)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(30)
        configuration.readonly = mode == .readOnly
        configuration.prepareDatabase { db in
            if mode == .readWrite { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        do {
            if mode == .readWrite { try ManifestCreation.createIfMissing(path: path, configuration: configuration) }
            pool = mode == .readOnly
                ? try Self.openReadOnly(path: path, configuration: configuration)
                : try DatabasePool(path: path, configuration: configuration)
            try pool.read { db in try Migrations.verifyKnown(db, path: path) }
            if mode == .readWrite { try Migrations.apply(to: pool) }
        } catch let error as DatabaseError {
            throw ManifestError.unreadable(path: path, reason: error.message ?? "\(error)")
        }
    }

    /// A read-only pool. SQLite cannot open a WAL database read-only when its -shm file can be
    /// neither found nor created (a read-only folder or mount, sqlite.org/wal.html "Read-Only
    /// Databases"); then, if no WAL content is pending (no -wal file, or an empty one), nothing can
    /// change the file while we read, and it is opened as immutable.
    private static func openReadOnly(path: String, configuration: Configuration) throws -> DatabasePool {
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            _ = try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") }
            return pool
        } catch let error as DatabaseError {
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? nil
            guard (wal ?? 0) == 0, let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else { throw error }
            return try DatabasePool(path: "file:\(escaped)?immutable=1", configuration: configuration)
        }
    }

    /// Opens (creating if needed) the manifest of a workdir, creating the workdir too.
    public static func open(workdir: URL) throws -> ManifestStore {
        do {
            try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        } catch {
            throw ManifestError.unreadable(path: workdir.path, reason: "cannot create the workdir (\(error.localizedDescription))")
        }
        return try ManifestStore(path: workdir.appendingPathComponent(fileName).path)
    }

    /// Opens an existing workdir's manifest (`readWrite` migrates it), failing with a clear
    /// message when there is none.
    public static func openExisting(workdir: URL, mode: Mode = .readWrite) throws -> ManifestStore {
        let path = workdir.appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ManifestError.missing(path: path)
        }
        return try ManifestStore(path: path, mode: mode)
    }

    /// Runs a read-only block on a reader connection.
    public func read<T>(_ block: (Database) throws -> T) throws -> T {
        try pool.read(block)
    }

    /// Runs a block in one write transaction.
    public func write<T>(_ block: (Database) throws -> T) throws -> T {
        try pool.write(block)
    }
}

/// Why a manifest could not be used.
public enum ManifestError: DescribedError, Equatable {
    /// The workdir has no manifest yet.
    case missing(path: String)
    /// The file exists but SQLite could not read or migrate it.
    case unreadable(path: String, reason: String)
    /// A query that would write was given to a read-only command.
    case notReadOnly(sql: String)
    /// A saved query name that does not exist.
    case unknownSavedQuery(name: String, known: [String])
    /// Merging workdirs found two different files under one path.
    case mergeConflict(path: String)
    /// The file named manifest.sqlite is not a manifest (empty, not SQLite, no migrations table).
    case notAManifest(path: String, reason: String)
    /// The manifest records a migration this build does not know: it was written by a newer build.
    case newerSchema(path: String, migration: String)

    public var kind: String {
        switch self {
        case .missing: "manifest-missing"
        case .unreadable: "manifest-unreadable"
        case .notReadOnly: "query-not-read-only"
        case .unknownSavedQuery: "unknown-saved-query"
        case .mergeConflict: "merge-conflict"
        case .notAManifest: "not-a-manifest"
        case .newerSchema: "manifest-newer-schema"
        }
    }

    public var message: String {
        switch self {
        case .missing(let path):
            "no manifest at \(path): run a stage with this --workdir first (e.g. cn-ingest), or check the path"
        case .unreadable(let path, let reason):
            "cannot open manifest \(path): \(reason)"
        case .notReadOnly(let sql):
            "refused: `\(oneLine(sql, limit: 80))` would modify the manifest; `query` only runs read-only statements (SELECT, WITH, read-only PRAGMA)"
        case .unknownSavedQuery(let name, let known):
            "no saved query named '\(name)'; known: \(known.joined(separator: ", "))"
        case .mergeConflict(let path):
            "cannot merge: \(path) differs between the workdirs (two partitions wrote the same output differently)"
        case .notAManifest(let path, let reason):
            "\(path) is not a manifest: \(reason); move it away or point --workdir at another folder"
        case .newerSchema(let path, let migration):
            "\(path) was written by a newer build: it has migration \(migration), which this build does not know; use that build or a newer one"
        }
    }
}
