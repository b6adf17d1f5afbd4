import GRDB

/// A row of `object_mesh`: the mesh and camera an Open Images object's photo was rendered from,
/// when known (the cn-fixture openimages dataset).
public struct ObjectMeshRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "object_mesh"

    /// The object.
    public var objectID: String
    /// Absolute mesh path.
    public var mesh: String
    /// JSON, 12 numbers, row-major 3x4 [R|t], Blender camera axes, Z-up world.
    public var worldToCamera: String
    /// Square render side the photo's object was drawn at.
    public var renderSize: Int
    /// Supersampling of that render.
    public var supersampling: Int
    /// Where the truth came from, e.g. 'fixture-truth.json'.
    public var source: String

    /// Creates a row.
    public init(objectID: String, mesh: String, worldToCamera: String, renderSize: Int, supersampling: Int, source: String) {
        self.objectID = objectID
        self.mesh = mesh
        self.worldToCamera = worldToCamera
        self.renderSize = renderSize
        self.supersampling = supersampling
        self.source = source
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case objectID = "object_id", mesh, worldToCamera = "world_to_camera", renderSize = "render_size", supersampling, source
    }
}
