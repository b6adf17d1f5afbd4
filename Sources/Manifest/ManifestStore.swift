import Foundation
import GRDB
import Support

/// The workdir's SQLite manifest (`WORKDIR/manifest.sqlite`, WAL, foreign keys on): the single
/// source of truth of DESIGN.md. Readers may use it from any thread; only the stage runner writes
/// while a stage runs, in batched transactions.
public final class ManifestStore: Sendable {
    /// The file name of the manifest inside a workdir (CONTRACT).
    public static let fileName = "manifest.sqlite"

    /// The underlying GRDB pool (WAL; concurrent readers, one writer).
    public let pool: DatabasePool
    /// The manifest's path.
    public let path: String

    /// Opens the manifest at `path`, creating it and applying pending migrations.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Migrations.apply(to: pool)
        } catch let error as DatabaseError {
            throw ManifestError.unreadable(path: path, reason: error.message ?? "\(error)")
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

    /// Opens an existing workdir's manifest, failing with a clear message when there is none.
    public static func openExisting(workdir: URL) throws -> ManifestStore {
        let path = workdir.appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ManifestError.missing(path: path)
        }
        return try ManifestStore(path: path)
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

    public var kind: String {
        switch self {
        case .missing: "manifest-missing"
        case .unreadable: "manifest-unreadable"
        case .notReadOnly: "query-not-read-only"
        case .unknownSavedQuery: "unknown-saved-query"
        case .mergeConflict: "merge-conflict"
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
        }
    }
}
