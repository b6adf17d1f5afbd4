import GRDB

/// What the `sample` table is assembled from (cn-shard): one row per composition with its two
/// views (Objaverse branch), one per synthesised view of an extracted object (Open Images
/// branch), each with its subject's preferred caption (the `preferred_caption` view of
/// Manifests/migrations/0004_preferred_caption.sql).
public enum SampleSources {
    /// A composition with the spherical coordinates and pose files of its reference and target views.
    public struct Composition: Sendable, Equatable, FetchableRecord {
        public var id: String, assetID: String, referenceView: Int, targetView: Int
        public var target: String, reference: String
        public var bboxX: Int, bboxY: Int, bboxW: Int, bboxH: Int
        /// Reference view: polar, azimuth (radians), radius and workdir-relative `.npy`.
        public var referencePolar: Double, referenceAzimuth: Double, referenceRadius: Double, referencePose: String
        /// Target view: polar, azimuth (radians), radius and workdir-relative `.npy`.
        public var targetPolar: Double, targetAzimuth: Double, targetRadius: Double, targetPose: String
        public var caption: String?

        public init(row: Row) {
            id = row["id"]; assetID = row["asset_id"]; referenceView = row["ref_view"]; targetView = row["target_view"]
            target = row["target"]; reference = row["ref"]
            bboxX = row["bbox_x"]; bboxY = row["bbox_y"]; bboxW = row["bbox_w"]; bboxH = row["bbox_h"]
            referencePolar = row["rp"]; referenceAzimuth = row["ra"]; referenceRadius = row["rr"]; referencePose = row["rpose"]
            targetPolar = row["tp"]; targetAzimuth = row["ta"]; targetRadius = row["tr"]; targetPose = row["tpose"]
            caption = row["caption"]
        }
    }

    /// A synthesised view of an extracted object with the extraction's target and box.
    public struct NovelView: Sendable, Equatable, FetchableRecord {
        public var objectID: String, index: Int, image: String
        public var polarDegrees: Double, azimuthDegrees: Double, radius: Double
        public var imageID: String, target: String
        public var bboxX: Int, bboxY: Int, bboxW: Int, bboxH: Int
        public var caption: String?

        public init(row: Row) {
            objectID = row["object_id"]; index = row["idx"]; image = row["image"]
            polarDegrees = row["polar_deg"]; azimuthDegrees = row["azimuth_deg"]; radius = row["radius"]
            imageID = row["image_id"]; target = row["target"]
            bboxX = row["bbox_x"]; bboxY = row["bbox_y"]; bboxW = row["bbox_w"]; bboxH = row["bbox_h"]
            caption = row["caption"]
        }
    }

    /// Every composition whose two views are recorded.
    public static func compositions(_ db: Database) throws -> [Composition] {
        try Composition.fetchAll(db, sql: """
            SELECT c.id, c.asset_id, c.ref_view, c.target_view, c.target, c.ref, c.bbox_x, c.bbox_y, c.bbox_w, c.bbox_h,
                   r.polar AS rp, r.azimuth AS ra, r.radius AS rr, r.pose AS rpose,
                   t.polar AS tp, t.azimuth AS ta, t.radius AS tr, t.pose AS tpose,
                   (SELECT text FROM preferred_caption WHERE subject_kind = 'composition' AND subject_id = c.id) AS caption
            FROM composition c
            JOIN view r ON r.asset_id = c.asset_id AND r.idx = c.ref_view
            JOIN view t ON t.asset_id = c.asset_id AND t.idx = c.target_view
            """)
    }

    /// Every novel view of an extracted object.
    public static func novelViews(_ db: Database) throws -> [NovelView] {
        try NovelView.fetchAll(db, sql: """
            SELECT n.object_id, n.idx, n.image, n.polar_deg, n.azimuth_deg, n.radius, o.image_id, e.target,
                   e.bbox_x, e.bbox_y, e.bbox_w, e.bbox_h,
                   (SELECT text FROM preferred_caption WHERE subject_kind = 'image' AND subject_id = o.image_id) AS caption
            FROM novel_view n JOIN extraction e ON e.object_id = n.object_id JOIN object o ON o.id = n.object_id
            """)
    }

    /// An extracted object with both novel views, for CustomNet's folder layout (`cn-shard --format customnet`).
    public struct CustomNetObject: Sendable, Equatable, FetchableRecord {
        public var objectID: String, target: String, targetMask: String, subject: String
        public var bboxX: Int, bboxY: Int, bboxW: Int, bboxH: Int
        public var imageID: String
        public var caption: String?

        public init(row: Row) {
            objectID = row["object_id"]; target = row["target"]; targetMask = row["target_mask"]; subject = row["subject"]
            bboxX = row["bbox_x"]; bboxY = row["bbox_y"]; bboxW = row["bbox_w"]; bboxH = row["bbox_h"]
            imageID = row["image_id"]; caption = row["caption"]
        }
    }

    /// Every extracted object with exactly two novel views, by object id.
    public static func customNetObjects(_ db: Database) throws -> [CustomNetObject] {
        try CustomNetObject.fetchAll(db, sql: """
            SELECT e.object_id, e.target, e.target_mask, e.subject, e.bbox_x, e.bbox_y, e.bbox_w, e.bbox_h, o.image_id,
                   (SELECT text FROM preferred_caption WHERE subject_kind = 'image' AND subject_id = o.image_id) AS caption
            FROM extraction e JOIN object o ON o.id = e.object_id
            WHERE (SELECT COUNT(*) FROM novel_view n WHERE n.object_id = e.object_id) = 2
            ORDER BY e.object_id
            """)
    }
}
