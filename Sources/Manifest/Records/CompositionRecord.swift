import GRDB

/// A row of `composition` (Objaverse branch): a target view composited into a background at a
/// box, with its framed reference view.
public struct CompositionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord, ItemRecord {
    public static let databaseTableName = "composition"

    /// '{asset}:{ref}-{target}'.
    public var id: String
    /// The asset.
    public var assetID: String
    /// Index of the reference view.
    public var referenceView: Int
    /// Index of the target view.
    public var targetView: Int
    /// Photo path or 'procedural:{seed}'.
    public var background: String
    /// Workdir-relative target image.
    public var target: String
    /// Workdir-relative reference image.
    public var reference: String
    /// The object's box in target pixels.
    public var bboxX: Int, bboxY: Int, bboxW: Int, bboxH: Int
    /// Background words for templated captions.
    public var descriptor: String?

    /// Creates a row.
    public init(id: String, assetID: String, referenceView: Int, targetView: Int, background: String, target: String,
                reference: String, bboxX: Int, bboxY: Int, bboxW: Int, bboxH: Int, descriptor: String?) {
        self.id = id
        self.assetID = assetID
        self.referenceView = referenceView
        self.targetView = targetView
        self.background = background
        self.target = target
        self.reference = reference
        self.bboxX = bboxX
        self.bboxY = bboxY
        self.bboxW = bboxW
        self.bboxH = bboxH
        self.descriptor = descriptor
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, assetID = "asset_id", referenceView = "ref_view", targetView = "target_view", background, target
        case reference = "ref", bboxX = "bbox_x", bboxY = "bbox_y", bboxW = "bbox_w", bboxH = "bbox_h", descriptor
    }

    /// Every composition id.
    public static func allIDs(_ db: Database) throws -> [String] {
        try String.fetchAll(db, select(CodingKeys.id))
    }
}
