import GRDB

/// A row of `object` (Open Images branch): a segmentation mask joined to its box, with the box
/// flags (1 yes, 0 no, -1 unknown) and the filters' verdict.
public struct ObjectRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "object"

    /// MaskPath without '.png'.
    public var id: String
    /// The photo's ImageID.
    public var imageID: String
    /// The LabelName.
    public var label: String
    /// The BoxID.
    public var boxID: String
    /// The normalised box.
    public var xMin: Double, xMax: Double, yMin: Double, yMax: Double
    /// The mask's PredictedIoU, when given.
    public var predictedIoU: Double?
    /// Box flags: 1 yes, 0 no, -1 unknown; nil when no box matched.
    public var isOccluded: Int?, isTruncated: Int?, isGroupOf: Int?, isDepiction: Int?, isInside: Int?
    /// The mask's path inside the masks zip or folder.
    public var maskPath: String
    /// Whether the filters accepted the object.
    public var accepted: Bool
    /// The filter's reason kind and reason when rejected.
    public var rejectKind: String?, rejectReason: String?

    /// Creates a row.
    public init(id: String, imageID: String, label: String, boxID: String, xMin: Double, xMax: Double, yMin: Double, yMax: Double,
                predictedIoU: Double?, isOccluded: Int?, isTruncated: Int?, isGroupOf: Int?, isDepiction: Int?, isInside: Int?,
                maskPath: String, accepted: Bool, rejectKind: String?, rejectReason: String?) {
        self.id = id
        self.imageID = imageID
        self.label = label
        self.boxID = boxID
        self.xMin = xMin
        self.xMax = xMax
        self.yMin = yMin
        self.yMax = yMax
        self.predictedIoU = predictedIoU
        self.isOccluded = isOccluded
        self.isTruncated = isTruncated
        self.isGroupOf = isGroupOf
        self.isDepiction = isDepiction
        self.isInside = isInside
        self.maskPath = maskPath
        self.accepted = accepted
        self.rejectKind = rejectKind
        self.rejectReason = rejectReason
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, imageID = "image_id", label, boxID = "box_id", xMin = "x_min", xMax = "x_max", yMin = "y_min", yMax = "y_max"
        case predictedIoU = "predicted_iou", isOccluded = "is_occluded", isTruncated = "is_truncated", isGroupOf = "is_group_of"
        case isDepiction = "is_depiction", isInside = "is_inside", maskPath = "mask_path", accepted
        case rejectKind = "reject_kind", rejectReason = "reject_reason"
    }

    /// The ids of the objects the filters accepted.
    public static func acceptedIDs(_ db: Database) throws -> [String] {
        try String.fetchAll(db, select(CodingKeys.id).filter(CodingKeys.accepted == true))
    }
}
