import Support

/// Why an asset was refused. `kind` is stable (recorded in the manifest): "unsupported-extension",
/// "unsupported-format", "bad-accessor", "bad-gltf", "bad-glb", "too-many-triangles",
/// "file-too-large", "unreadable-texture", "texture-too-large", "uri-escapes-folder",
/// "missing-file", "not-a-mesh", "non-finite-data", "bad-index", "bad-node-hierarchy",
/// "bad-obj", "bad-ply", "degenerate-mesh", "bad-transform", "time-limit".
public struct AssetError: DescribedError, Equatable {
    public let kind: String
    public let message: String
    public init(kind: String, message: String) {
        self.kind = kind
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

    public init(maxFileBytes: Int = 512 << 20, maxTriangles: Int = 5_000_000, maxTextureSide: Int = 8192,
                maxTexturePixels: Int = 64 << 20, maxNodes: Int = 100_000, maxCoordinate: Double = 1e12) {
        self.maxFileBytes = maxFileBytes
        self.maxTriangles = maxTriangles
        self.maxTextureSide = maxTextureSide
        self.maxTexturePixels = maxTexturePixels
        self.maxNodes = maxNodes
        self.maxCoordinate = maxCoordinate
    }

    public static let `default` = AssetLimits()
}
