import GRDB

/// What `cn-extract` needs of one object: its photo (path, rotation, split), mask, class name
/// and the root of its split's dataset.
public struct ExtractionSource: Sendable, Equatable, FetchableRecord {
    public var imageID: String, maskPath: String, label: String
    /// The photo's path, rotation (degrees) and split.
    public var photoPath: String, rotation: Int?, split: String
    /// The class display name (the label when the class is unknown).
    public var className: String
    /// The split's dataset root, when recorded.
    public var root: String?

    public init(row: Row) {
        imageID = row["image_id"]; maskPath = row["mask_path"]; label = row["label"]
        photoPath = row["path"]; rotation = row["rotation"]; split = row["split"]
        className = row["name"]; root = row["root"]
    }

    /// The source of object `id`, if the object is in the manifest.
    public static func find(_ db: Database, objectID: String) throws -> ExtractionSource? {
        try fetchOne(db, sql: """
            SELECT o.image_id, o.mask_path, o.label, i.path, i.rotation, i.split, COALESCE(c.name, o.label) AS name, r.root
            FROM object o JOIN image i ON i.id = o.image_id LEFT JOIN class c ON c.label = o.label
            LEFT JOIN dataset_root r ON r.dataset = 'openimages' AND r.split = i.split
            WHERE o.id = ?
            """, arguments: [objectID])
    }
}
