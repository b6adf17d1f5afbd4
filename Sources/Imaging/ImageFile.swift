import Support

/// Format-sniffing entry points: decode PNG or JPEG by their leading bytes (not by file name),
/// and write images by the extension of the destination, atomically (Support's AtomicFile).
public enum ImageFile {
    /// The container formats this module reads and writes.
    public enum Format: String, Sendable {
        case png, jpeg
    }

    /// The format of `bytes` by signature, or nil when it is neither PNG nor JPEG.
    public static func sniff(_ bytes: [UInt8]) -> Format? {
        bytes.withUnsafeBytes { raw in PNG.isPNG(raw) ? .png : (JPEG.isJPEG(raw) ? .jpeg : nil) }
    }

    /// Decodes PNG or JPEG bytes to RGBA8.
    public static func decodeRGBA(_ bytes: [UInt8], limits: ImageLimits = .standard, source: String? = nil) throws -> RGBAImage {
        switch try format(bytes, source: source) {
        case .png: return try PNG.decodeRGBA(bytes, limits: limits, source: source)
        case .jpeg: return try JPEG.decodeRGBA(bytes, options: JPEGDecodeOptions(limits: limits), source: source)
        }
    }

    /// Decodes PNG or JPEG bytes to 8-bit gray (masks).
    public static func decodeGray(_ bytes: [UInt8], limits: ImageLimits = .standard, source: String? = nil) throws -> GrayImage {
        switch try format(bytes, source: source) {
        case .png: return try PNG.decodeGray(bytes, limits: limits, source: source)
        case .jpeg: return try JPEG.decodeGray(bytes, options: JPEGDecodeOptions(limits: limits), source: source)
        }
    }

    /// Reads and decodes a PNG or JPEG file to RGBA8.
    public static func loadRGBA(_ path: String, limits: ImageLimits = .standard) throws -> RGBAImage {
        try decodeRGBA(FileBytes.read(path, limits: limits), limits: limits, source: ImageError.fileSource(path))
    }

    /// Reads and decodes a PNG or JPEG file to 8-bit gray.
    public static func loadGray(_ path: String, limits: ImageLimits = .standard) throws -> GrayImage {
        try decodeGray(FileBytes.read(path, limits: limits), limits: limits, source: ImageError.fileSource(path))
    }

    /// Encodes `image` as PNG (".png") or JPEG (".jpg"/".jpeg", composited over white first) by
    /// the path's extension and publishes it atomically (temp, fsync, rename).
    public static func write(_ image: RGBAImage, to path: String, jpeg: JPEGEncodeOptions = JPEGEncodeOptions(),
                             png: PNG.EncodeOptions = PNG.EncodeOptions()) throws {
        let lower = path.lowercased()
        let bytes: [UInt8]
        if lower.hasSuffix(".png") {
            bytes = try PNG.encode(image, options: png)
        } else if lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") {
            bytes = try JPEG.encode(image.composited(over: .white), options: jpeg)
        } else {
            throw ImageError(.invalidArgument, source: ImageError.fileSource(path), detail: "unknown image extension (use .png, .jpg or .jpeg)")
        }
        try AtomicFile.write(bytes, to: path)
    }

    /// Encodes a gray image as an 8-bit gray PNG and publishes it atomically.
    public static func write(_ image: GrayImage, to path: String, png: PNG.EncodeOptions = PNG.EncodeOptions()) throws {
        try AtomicFile.write(PNG.encode(image, options: png), to: path)
    }

    private static func format(_ bytes: [UInt8], source: String?) throws -> Format {
        let src = source ?? ImageError.memorySource(bytes.count)
        if bytes.isEmpty { throw ImageError(.emptyFile, source: src, detail: "no bytes to decode") }
        guard let format = sniff(bytes) else {
            throw ImageError(.notAnImage, source: src, detail: "neither a PNG nor a JPEG signature")
        }
        return format
    }
}
