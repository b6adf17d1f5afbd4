import GRDB

/// A row of `novel_view` (Open Images branch): a synthesised view of an extracted object at an
/// offset (degrees, degrees, radius) from the photo's camera.
public struct NovelViewRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord, ItemRecord {
    public static let databaseTableName = "novel_view"

    /// The object.
    public var objectID: String
    /// 0: (x, y, z), 1: (-x, -y, -z).
    public var index: Int
    /// Workdir-relative image.
    public var image: String
    /// Polar offset, degrees.
    public var polarDegrees: Double
    /// Azimuth offset, degrees.
    public var azimuthDegrees: Double
    /// Radius offset.
    public var radius: Double
    /// The backend that made the view.
    public var backend: String
    /// How a model made it (nil fields for a rendered view).
    public var provenance: NovelViewProvenance

    /// Creates a row.
    public init(objectID: String, index: Int, image: String, polarDegrees: Double, azimuthDegrees: Double, radius: Double, backend: String,
                provenance: NovelViewProvenance = .init()) {
        self.objectID = objectID
        self.index = index
        self.image = image
        self.polarDegrees = polarDegrees
        self.azimuthDegrees = azimuthDegrees
        self.radius = radius
        self.backend = backend
        self.provenance = provenance
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        objectID = try c.decode(String.self, forKey: .objectID)
        index = try c.decode(Int.self, forKey: .index)
        image = try c.decode(String.self, forKey: .image)
        polarDegrees = try c.decode(Double.self, forKey: .polarDegrees)
        azimuthDegrees = try c.decode(Double.self, forKey: .azimuthDegrees)
        radius = try c.decode(Double.self, forKey: .radius)
        backend = try c.decode(String.self, forKey: .backend)
        provenance = try NovelViewProvenance(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(objectID, forKey: .objectID)
        try c.encode(index, forKey: .index)
        try c.encode(image, forKey: .image)
        try c.encode(polarDegrees, forKey: .polarDegrees)
        try c.encode(azimuthDegrees, forKey: .azimuthDegrees)
        try c.encode(radius, forKey: .radius)
        try c.encode(backend, forKey: .backend)
        try provenance.encode(to: encoder)
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case objectID = "object_id", index = "idx", image, polarDegrees = "polar_deg", azimuthDegrees = "azimuth_deg", radius, backend
    }

    /// The views of an object, by index.
    public static func views(_ db: Database, object: String) throws -> [NovelViewRecord] {
        try filter(CodingKeys.objectID == object).order(CodingKeys.index).fetchAll(db)
    }
}

/// How a model made a novel view (`novel_view`'s provenance columns, migration 0006): every field
/// nil for a rendered view.
public struct NovelViewProvenance: Codable, Sendable, Equatable {
    /// sha256 of the checkpoint file (hex).
    public var checkpointSHA256: String?
    /// sha256 of the ldm YAML's bytes (hex), or of "zero123-default" when none was given.
    public var modelConfigHash: String?
    /// DDIM steps, guidance scale, eta and timestep spacing.
    public var steps: Int?
    public var guidance: Double?
    public var eta: Double?
    public var spacing: String?
    /// The seed of the item's random stream the noise came from (decimal UInt64).
    public var seed: String?

    /// Creates a provenance (all nil: a rendered view).
    public init(checkpointSHA256: String? = nil, modelConfigHash: String? = nil, steps: Int? = nil, guidance: Double? = nil,
                eta: Double? = nil, spacing: String? = nil, seed: String? = nil) {
        self.checkpointSHA256 = checkpointSHA256
        self.modelConfigHash = modelConfigHash
        self.steps = steps
        self.guidance = guidance
        self.eta = eta
        self.spacing = spacing
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case checkpointSHA256 = "checkpoint_sha256", modelConfigHash = "model_config_hash", steps, guidance, eta, spacing, seed
    }
}
