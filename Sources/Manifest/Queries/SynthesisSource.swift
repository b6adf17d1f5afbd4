import GRDB

/// What `cn-synthesize` needs of one extracted object: its reference image, and the mesh and
/// camera of its photo when known.
public struct SynthesisSource: Sendable, Equatable, FetchableRecord {
    /// Workdir-relative reference (zero123 framing).
    public var referencePNG: String
    /// Absolute mesh path, when known.
    public var mesh: String?
    /// JSON of 12 numbers (row-major 3x4 world-to-camera), when known.
    public var worldToCamera: String?

    public init(row: Row) {
        referencePNG = row["ref_png"]; mesh = row["mesh"]; worldToCamera = row["world_to_camera"]
    }

    /// The source of extracted object `id`, if extracted.
    public static func find(_ db: Database, objectID: String) throws -> SynthesisSource? {
        try fetchOne(db, sql: """
            SELECT e.ref_png, m.mesh, m.world_to_camera FROM extraction e LEFT JOIN object_mesh m ON m.object_id = e.object_id
            WHERE e.object_id = ?
            """, arguments: [objectID])
    }
}
