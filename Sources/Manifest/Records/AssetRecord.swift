import GRDB

/// A row of `asset` (Manifests/migrations/0002_corpus.sql): one 3D asset file of a collection.
public struct AssetRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord, ItemRecord {
    public static let databaseTableName = "asset"

    /// The Objaverse uid, or a hash of the relative path.
    public var id: String
    /// Absolute path of the file.
    public var path: String
    /// glb, gltf, obj or ply.
    public var format: String
    /// File size in bytes.
    public var fileBytes: Int
    /// Display name.
    public var name: String?
    /// JSON array of tag names.
    public var tags: String?
    /// JSON array of category names.
    public var categories: String?
    /// License short name.
    public var license: String?

    /// Creates a row.
    public init(id: String, path: String, format: String, fileBytes: Int, name: String?, tags: String?, categories: String?, license: String?) {
        self.id = id
        self.path = path
        self.format = format
        self.fileBytes = fileBytes
        self.name = name
        self.tags = tags
        self.categories = categories
        self.license = license
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, path, format, fileBytes = "file_bytes", name, tags, categories, license
    }

    /// The ids of every asset, sorted.
    public static func allIDs(_ db: Database) throws -> [String] {
        try String.fetchAll(db, select(CodingKeys.id).order(CodingKeys.id))
    }

    /// The asset with this id, if any.
    public static func find(_ db: Database, id: String) throws -> AssetRecord? {
        try fetchOne(db, key: id)
    }
}
