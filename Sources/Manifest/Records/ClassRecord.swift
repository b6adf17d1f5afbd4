import GRDB

/// A row of `class`: an Open Images LabelName and its display name.
public struct ClassRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "class"

    /// e.g. '/m/04yx4'.
    public var label: String
    /// e.g. 'Car'.
    public var name: String

    /// Creates a row.
    public init(label: String, name: String) {
        self.label = label
        self.name = name
    }
}
