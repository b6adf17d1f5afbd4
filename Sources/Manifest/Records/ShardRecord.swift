import GRDB

/// A row of `shard`: a written shard's name, split, sample count, size and sha256.
public struct ShardRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord, ItemRecord {
    public static let databaseTableName = "shard"

    /// '{split}-{000000}'.
    public var name: String
    /// The split.
    public var split: String
    /// Samples in the shard.
    public var samples: Int
    /// Size of the tar in bytes.
    public var bytes: Int
    /// sha256 of the tar.
    public var sha256: String

    /// Creates a row.
    public init(name: String, split: String, samples: Int, bytes: Int, sha256: String) {
        self.name = name
        self.split = split
        self.samples = samples
        self.bytes = bytes
        self.sha256 = sha256
    }
}
