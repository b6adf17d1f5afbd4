import GRDB

/// A row of `extraction` (Open Images branch): an object's cut-out, reference, target and box.
public struct ExtractionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord, ItemRecord {
    public static let databaseTableName = "extraction"

    /// The object.
    public var objectID: String
    /// Workdir-relative RGBA cut-out.
    public var objectPNG: String
    /// Workdir-relative reference (long side 200 on a white 256 canvas).
    public var referencePNG: String
    /// Workdir-relative 256x256 target photo.
    public var target: String
    /// Workdir-relative target mask.
    public var targetMask: String
    /// 'square' or 'resize'.
    public var targetMode: String
    /// The object's box in target pixels.
    public var bboxX: Int, bboxY: Int, bboxW: Int, bboxH: Int
    /// The class name.
    public var subject: String

    /// Creates a row.
    public init(objectID: String, objectPNG: String, referencePNG: String, target: String, targetMask: String,
                targetMode: String, bboxX: Int, bboxY: Int, bboxW: Int, bboxH: Int, subject: String) {
        self.objectID = objectID
        self.objectPNG = objectPNG
        self.referencePNG = referencePNG
        self.target = target
        self.targetMask = targetMask
        self.targetMode = targetMode
        self.bboxX = bboxX
        self.bboxY = bboxY
        self.bboxW = bboxW
        self.bboxH = bboxH
        self.subject = subject
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case objectID = "object_id", objectPNG = "object_png", referencePNG = "ref_png", target, targetMask = "target_mask"
        case targetMode = "target_mode", bboxX = "bbox_x", bboxY = "bbox_y", bboxW = "bbox_w", bboxH = "bbox_h", subject
    }

    /// Every extracted object's id.
    public static func allObjectIDs(_ db: Database) throws -> [String] {
        try String.fetchAll(db, select(CodingKeys.objectID))
    }
}
