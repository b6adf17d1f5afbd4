import Foundation
import GRDB

/// The workdir's SQLite manifest (WAL, foreign keys on): the single source of truth.
public final class ManifestStore: Sendable {
    /// The underlying GRDB pool (concurrent readers, one writer).
    public let pool: DatabasePool

    /// Opens (creating if needed) the manifest at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        pool = try DatabasePool(path: path, configuration: configuration)
    }
}
