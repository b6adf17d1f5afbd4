import GRDB

/// A row of `image` (Open Images branch): a photo, its split, path and EXIF-style rotation.
public struct ImageRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "image"

    /// The Open Images ImageID.
    public var id: String
    /// train, validation, test.
    public var split: String
    /// The photo, absolute or relative to the dataset root.
    public var path: String
    /// 0, 90, 180 or 270; nil when unknown.
    public var rotation: Int?
    /// Upright size, known once an object of the photo was extracted.
    public var width: Int?, height: Int?

    /// Creates a row.
    public init(id: String, split: String, path: String, rotation: Int?, width: Int? = nil, height: Int? = nil) {
        self.id = id
        self.split = split
        self.path = path
        self.rotation = rotation
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, split, path, rotation, width, height
    }
}
