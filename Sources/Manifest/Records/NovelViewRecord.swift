import GRDB

/// A row of `novel_view` (Open Images branch): a synthesised view of an extracted object at an
/// offset (degrees, degrees, radius) from the photo's camera.
public struct NovelViewRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord, ItemRecord {
    public static let databaseTableName = "novel_view"

    /// The object.
    public var objectID: String
    /// 0: (x, y, z), 1: (-x, -y, -z).
    public var index: Int
    /// Workdir-relative image.
    public var image: String
    /// Polar offset, degrees.
    public var polarDegrees: Double
    /// Azimuth offset, degrees.
    public var azimuthDegrees: Double
    /// Radius offset.
    public var radius: Double
    /// The backend that made the view.
    public var backend: String

    /// Creates a row.
    public init(objectID: String, index: Int, image: String, polarDegrees: Double, azimuthDegrees: Double, radius: Double, backend: String) {
        self.objectID = objectID
        self.index = index
        self.image = image
        self.polarDegrees = polarDegrees
        self.azimuthDegrees = azimuthDegrees
        self.radius = radius
        self.backend = backend
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case objectID = "object_id", index = "idx", image, polarDegrees = "polar_deg", azimuthDegrees = "azimuth_deg", radius, backend
    }

    /// The views of an object, by index.
    public static func views(_ db: Database, object: String) throws -> [NovelViewRecord] {
        try filter(CodingKeys.objectID == object).order(CodingKeys.index).fetchAll(db)
    }
}
