import GRDB

/// A row of `dataset_root`: where an ingested split of a dataset lives on disk.
public struct DatasetRootRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord, ItemRecord {
    public static let databaseTableName = "dataset_root"

    /// 'openimages'.
    public var dataset: String
    /// train, validation, test.
    public var split: String
    /// Absolute dataset root.
    public var root: String

    /// Creates a row.
    public init(dataset: String, split: String, root: String) {
        self.dataset = dataset
        self.split = split
        self.root = root
    }
}
