import GRDB

/// A row of `view`: one rendered view of an asset (Zero-1-to-3 conventions: polar from +Z,
/// azimuth atan2(y, x), radius; the 3x4 world-to-camera matrix in the `.npy` file).
public struct ViewRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord, ItemRecord {
    public static let databaseTableName = "view"

    /// The asset.
    public var assetID: String
    /// The view's index.
    public var index: Int
    /// Workdir-relative `{i:03d}.png`.
    public var image: String
    /// Workdir-relative `{i:03d}.npy`.
    public var pose: String
    /// Radians from +Z.
    public var polar: Double
    /// Radians, atan2(y, x).
    public var azimuth: Double
    /// Camera distance.
    public var radius: Double

    /// Creates a row.
    public init(assetID: String, index: Int, image: String, pose: String, polar: Double, azimuth: Double, radius: Double) {
        self.assetID = assetID
        self.index = index
        self.image = image
        self.pose = pose
        self.polar = polar
        self.azimuth = azimuth
        self.radius = radius
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case assetID = "asset_id", index = "idx", image, pose, polar, azimuth, radius
    }

    /// The views of an asset, by index.
    public static func views(_ db: Database, asset: String) throws -> [ViewRecord] {
        try filter(CodingKeys.assetID == asset).order(CodingKeys.index).fetchAll(db)
    }

    /// One view of an asset, if recorded.
    public static func find(_ db: Database, asset: String, index: Int) throws -> ViewRecord? {
        try fetchOne(db, key: [CodingKeys.assetID.rawValue: asset, CodingKeys.index.rawValue: index])
    }

    /// The assets with at least `minimum` views, sorted.
    public static func assets(_ db: Database, withAtLeast minimum: Int = 1) throws -> [String] {
        try String.fetchAll(db, select(CodingKeys.assetID).group(CodingKeys.assetID)
            .having(count(CodingKeys.index) >= minimum).order(CodingKeys.assetID))
    }
}
