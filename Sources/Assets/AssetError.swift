import Support

/// Why an asset was refused (its `kind` is recorded in the manifest).
public struct AssetError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings stored in manifests
    /// (pinned by a test: renaming one is a change of the manifest's vocabulary).
    public enum Reason: String, Sendable, CaseIterable {
        case badAccessor = "bad-accessor"
        case badGLB = "bad-glb"
        case badGLTF = "bad-gltf"
        case badIndex = "bad-index"
        case badNodeHierarchy = "bad-node-hierarchy"
        case badOBJ = "bad-obj"
        case badPLY = "bad-ply"
        case badTransform = "bad-transform"
        case degenerateMesh = "degenerate-mesh"
        case fileTooLarge = "file-too-large"
        case missingFile = "missing-file"
        case nonFiniteData = "non-finite-data"
        case notAMesh = "not-a-mesh"
        case textureTooLarge = "texture-too-large"
        case timeLimit = "time-limit"
        case tooManyTriangles = "too-many-triangles"
        case unreadableTexture = "unreadable-texture"
        case unsupportedExtension = "unsupported-extension"
        case unsupportedFormat = "unsupported-format"
        case unsupportedVersion = "unsupported-version"
        case uriEscapesFolder = "uri-escapes-folder"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// One line: the file, what is wrong, what to do.
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Creates an error of a class with its message (kept to one line of at most 400 characters).
    public init(_ reason: Reason, message: String) {
        self.reason = reason
        self.message = oneLine(message, limit: 400)
    }
}

/// Limits that stop decompression bombs and pathological assets. Every field has a default.
public struct AssetLimits: Sendable, Equatable {
    /// Largest asset file (and largest external buffer/image file) in bytes. Default 512 MiB.
    public var maxFileBytes: Int
    /// Most triangles in the whole scene. Default 5,000,000.
    public var maxTriangles: Int
    /// Largest texture side in pixels. Default 8192.
    public var maxTextureSide: Int
    /// Most texture pixels (width x height) per image. Default 64 Mi.
    public var maxTexturePixels: Int
    /// Most node instances walked (guards against exponential instancing). Default 100,000.
    public var maxNodes: Int
    /// Largest absolute coordinate accepted after transforms. Default 1e12.
    public var maxCoordinate: Double
    /// The item's time limit and stop request, checked inside the loaders' loops. Default none.
    public var deadline: Deadline

    /// Creates limits; every field has the default documented on it.
    public init(maxFileBytes: Int = 512 << 20, maxTriangles: Int = 5_000_000, maxTextureSide: Int = 8192,
                maxTexturePixels: Int = 64 << 20, maxNodes: Int = 100_000, maxCoordinate: Double = 1e12,
                deadline: Deadline = .none) {
        self.maxFileBytes = maxFileBytes
        self.maxTriangles = maxTriangles
        self.maxTextureSide = maxTextureSide
        self.maxTexturePixels = maxTexturePixels
        self.maxNodes = maxNodes
        self.maxCoordinate = maxCoordinate
        self.deadline = deadline
    }

    public static let `default` = AssetLimits()
}
