import Foundation
import GRDB
import Manifest
import Shards

/// Builds the `sample` table (DESIGN.md CONTRACT) from what the stages made: one sample per
/// composition (Objaverse branch; T from the two views' cameras, zero123's get_T on the
/// recorded spherical coordinates) and one per synthesised view of an extracted object (Open
/// Images branch; the INVERSE of the view's pose is the condition, as CustomNet's loader does).
/// Samples are ordered by (kind, source) and numbered from 1, so ids depend only on the
/// manifest's content; the split comes from a stable hash of the source (asset or photo).
public enum SampleAssembler {
    /// A sample before it is written: the row plus what shard writing needs.
    public struct Draft: Sendable {
        public var kind: String
        public var source: String
        public var sourceID: String
        public var reference: String
        public var target: String
        public var pose: PoseVector
        public var bbox: PixelBox
        public var caption: String?
        public var view: [Double]?
        public var referencePose: String?
        public var targetPose: String?
    }

    /// Every sample the manifest supports, ordered by (kind, source).
    public static func drafts(_ db: Database) throws -> [Draft] {
        var drafts: [Draft] = []
        let compositions = try Row.fetchAll(db, sql: """
            SELECT c.id, c.asset_id, c.ref_view, c.target_view, c.target, c.ref, c.bbox_x, c.bbox_y, c.bbox_w, c.bbox_h,
                   r.polar AS rp, r.azimuth AS ra, r.radius AS rr, r.pose AS rpose,
                   t.polar AS tp, t.azimuth AS ta, t.radius AS tr, t.pose AS tpose,
                   (SELECT text FROM caption WHERE subject_kind = 'composition' AND subject_id = c.id
                    ORDER BY CASE source WHEN 'narrative' THEN 0 WHEN 'external' THEN 1 ELSE 2 END, idx LIMIT 1) AS caption
            FROM composition c
            JOIN view r ON r.asset_id = c.asset_id AND r.idx = c.ref_view
            JOIN view t ON t.asset_id = c.asset_id AND t.idx = c.target_view
            """)
        for row in compositions {
            let dAz = (row["ta"] as Double) - (row["ra"] as Double)
            let pose = PoseVector(polar: (row["tp"] as Double) - (row["rp"] as Double), azimuthSin: sin(dAz), azimuthCos: cos(dAz),
                                  radius: (row["tr"] as Double) - (row["rr"] as Double))
            let asset: String = row["asset_id"]
            drafts.append(Draft(
                kind: "objaverse", source: "asset/\(asset)/" + String(format: "%02d-%02d", row["ref_view"] as Int, row["target_view"] as Int),
                sourceID: asset, reference: row["ref"], target: row["target"], pose: pose,
                bbox: PixelBox(x: row["bbox_x"], y: row["bbox_y"], width: row["bbox_w"], height: row["bbox_h"]),
                caption: row["caption"], view: nil, referencePose: row["rpose"], targetPose: row["tpose"]))
        }
        let novel = try Row.fetchAll(db, sql: """
            SELECT n.object_id, n.idx, n.image, n.polar_deg, n.azimuth_deg, n.radius, o.image_id, e.target,
                   e.bbox_x, e.bbox_y, e.bbox_w, e.bbox_h,
                   (SELECT text FROM caption WHERE subject_kind = 'image' AND subject_id = o.image_id
                    ORDER BY CASE source WHEN 'narrative' THEN 0 WHEN 'external' THEN 1 ELSE 2 END, idx LIMIT 1) AS caption
            FROM novel_view n JOIN extraction e ON e.object_id = n.object_id JOIN object o ON o.id = n.object_id
            """)
        for row in novel {
            let image: String = row["image_id"], object: String = row["object_id"], index: Int = row["idx"]
            let (x, y, z) = (row["polar_deg"] as Double, row["azimuth_deg"] as Double, row["radius"] as Double)
            drafts.append(Draft(
                kind: "openimages", source: "image/\(image)/object/\(object)/view/\(index)", sourceID: image,
                reference: row["image"], target: row["target"],
                pose: InversePose.condition(polarDegrees: x, azimuthDegrees: y, radius: z),
                bbox: PixelBox(x: row["bbox_x"], y: row["bbox_y"], width: row["bbox_w"], height: row["bbox_h"]),
                caption: row["caption"], view: [x, y, z], referencePose: nil, targetPose: nil))
        }
        return drafts.sorted { ($0.kind, $0.source) < ($1.kind, $1.source) }
    }

    /// Replaces the `sample` table with `drafts` numbered from 1 in order, with their splits.
    public static func record(_ db: Database, drafts: [Draft], splits: SplitAssigner) throws {
        try db.execute(sql: "DELETE FROM sample")
        try db.execute(sql: "DELETE FROM shard")
        let statement = try db.makeStatement(sql: """
            INSERT INTO sample (id, kind, split, reference, target, concat, polar, az_sin, az_cos, radius,
                                bbox_x, bbox_y, bbox_w, bbox_h, caption, source, shard)
            VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
            """)
        for (offset, draft) in drafts.enumerated() {
            try statement.execute(arguments: [
                offset + 1, draft.kind, splits.split(ofSource: draft.sourceID), draft.reference, draft.target,
                draft.pose.polar, draft.pose.azimuthSin, draft.pose.azimuthCos, draft.pose.radius,
                draft.bbox.x, draft.bbox.y, draft.bbox.width, draft.bbox.height, draft.caption, draft.source,
            ])
        }
    }
}
