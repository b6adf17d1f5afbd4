import GRDB

/// A row of `sample` (docs/CONTRACTS.md): one training pair, with the Zero-1-to-3 T vector from
/// reference to target, the box in target pixels, the caption, provenance and shard.
public struct SampleRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sample"

    /// Assigned in sorted source order, from 1.
    public var id: Int64
    /// 'objaverse' or 'openimages'.
    public var kind: String
    /// train, val or test.
    public var split: String
    /// Workdir-relative reference and target images.
    public var reference: String, target: String
    /// Where the concat image lives once sharded ('shards/{name}.tar:{key}.concat.png').
    public var concat: String?
    /// T = [polar, sin az, cos az, radius], reference -> target.
    public var polar: Double, azimuthSin: Double, azimuthCos: Double, radius: Double
    /// The box in target pixels.
    public var bboxX: Int, bboxY: Int, bboxW: Int, bboxH: Int
    /// The background caption.
    public var caption: String?
    /// Provenance: 'image/{id}/object/{id}/view/{i}' or 'asset/{uid}/{ref}-{target}'.
    public var source: String
    /// The shard holding the sample.
    public var shard: String?

    /// Creates a row.
    public init(id: Int64, kind: String, split: String, reference: String, target: String, concat: String? = nil,
                polar: Double, azimuthSin: Double, azimuthCos: Double, radius: Double,
                bboxX: Int, bboxY: Int, bboxW: Int, bboxH: Int, caption: String?, source: String, shard: String? = nil) {
        self.id = id
        self.kind = kind
        self.split = split
        self.reference = reference
        self.target = target
        self.concat = concat
        self.polar = polar
        self.azimuthSin = azimuthSin
        self.azimuthCos = azimuthCos
        self.radius = radius
        self.bboxX = bboxX
        self.bboxY = bboxY
        self.bboxW = bboxW
        self.bboxH = bboxH
        self.caption = caption
        self.source = source
        self.shard = shard
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, kind, split, reference, target, concat, polar, azimuthSin = "az_sin", azimuthCos = "az_cos", radius
        case bboxX = "bbox_x", bboxY = "bbox_y", bboxW = "bbox_w", bboxH = "bbox_h", caption, source, shard
    }

    /// The samples of a split, by id.
    public static func samples(_ db: Database, split: String) throws -> [SampleRecord] {
        try filter(CodingKeys.split == split).order(CodingKeys.id).fetchAll(db)
    }

    /// The samples with these ids that exist, in the order of `ids`.
    public static func samples(_ db: Database, ids: [Int64]) throws -> [SampleRecord] {
        try ids.compactMap { try fetchOne(db, key: $0) }
    }

    /// Replaces every sample (and, since they index samples, every shard row) with `samples`.
    public static func replaceAll(_ db: Database, with samples: [SampleRecord]) throws {
        try deleteAll(db)
        try ShardRecord.deleteAll(db)
        for sample in samples { try sample.insert(db) }
    }

    /// Records that the samples `ids` of `split` (a contiguous id range) went into shard `name`,
    /// and where each one's concat image lives inside it.
    public static func assign(_ db: Database, shard name: String, split: String, firstID: Int64, lastID: Int64) throws {
        try db.execute(sql: """
            UPDATE sample SET shard = ?1, concat = 'shards/' || ?1 || '.tar:' || printf('%010d', id) || '.concat.png'
            WHERE id BETWEEN ?2 AND ?3 AND split = ?4
            """, arguments: [name, firstID, lastID, split])
    }
}
