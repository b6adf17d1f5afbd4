import GRDB

/// The Open Images index `cn-ingest openimages` streams into the manifest, batch by batch: every
/// write is an upsert keyed by source ids, so a killed ingest re-run from scratch leaves the same
/// rows, never duplicates. `image` and `object` rows are updated in place (ON CONFLICT DO
/// UPDATE), never replaced, so the columns later stages fill (a photo's size) and the rows that
/// reference them survive. Statements are prepared once per connection: this is the hot path of
/// indexing millions of objects (scripts/bench/extract_ingest_scale).
public enum OpenImagesIndex {
    /// Records a class name (replacing an earlier name of the label).
    public static func upsert(_ db: Database, _ record: ClassRecord) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO class (label, name) VALUES (?, ?)")
            .execute(arguments: [record.label, record.name])
    }

    /// Records a photo, keeping its size when it was already known.
    public static func upsert(_ db: Database, _ record: ImageRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO image (id, split, path, rotation) VALUES (?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET split = excluded.split, path = excluded.path, rotation = excluded.rotation
            """).execute(arguments: [record.id, record.split, record.path, record.rotation])
    }

    /// Records an object (mask joined to its box) with the filters' verdict.
    public static func upsert(_ db: Database, _ r: ObjectRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO object (id, image_id, label, box_id, x_min, x_max, y_min, y_max, predicted_iou,
                is_occluded, is_truncated, is_group_of, is_depiction, is_inside, mask_path, accepted, reject_kind, reject_reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET image_id = excluded.image_id, label = excluded.label, box_id = excluded.box_id,
                x_min = excluded.x_min, x_max = excluded.x_max, y_min = excluded.y_min, y_max = excluded.y_max,
                predicted_iou = excluded.predicted_iou, is_occluded = excluded.is_occluded, is_truncated = excluded.is_truncated,
                is_group_of = excluded.is_group_of, is_depiction = excluded.is_depiction, is_inside = excluded.is_inside,
                mask_path = excluded.mask_path, accepted = excluded.accepted, reject_kind = excluded.reject_kind,
                reject_reason = excluded.reject_reason
            """).execute(arguments: [
                r.id, r.imageID, r.label, r.boxID, r.xMin, r.xMax, r.yMin, r.yMax, r.predictedIoU,
                r.isOccluded, r.isTruncated, r.isGroupOf, r.isDepiction, r.isInside, r.maskPath, r.accepted ? 1 : 0,
                r.rejectKind, r.rejectReason,
            ])
    }

    /// Records the mesh and camera an object's photo was rendered from.
    public static func upsert(_ db: Database, _ r: ObjectMeshRecord) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO object_mesh (object_id, mesh, world_to_camera, render_size, supersampling, source)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [r.objectID, r.mesh, r.worldToCamera, r.renderSize, r.supersampling, r.source])
    }

    /// Records a caption (replacing the same subject, source and index).
    public static func upsert(_ db: Database, _ r: CaptionRecord) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO caption (subject_kind, subject_id, source, idx, text) VALUES (?, ?, ?, ?, ?)
            """).execute(arguments: [r.subjectKind, r.subjectID, r.source, r.index, r.text])
    }
}
