import CJPEGShim

/// JPEG decoding and encoding through libjpeg-turbo behind the setjmp shim of Sources/CJPEGShim
/// (libjpeg.txt). Decoding reads the header, checks `ImageLimits`, allocates the destination once
/// and lets libjpeg write scanline batches straight into it: no per-pixel Swift work.
public enum JPEG {
    /// True when `bytes` start with the JPEG SOI marker FF D8 FF.
    public static func isJPEG(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF
    }

    /// Reads only the header of in-memory JPEG data.
    public static func readHeader(_ data: [UInt8], source: String? = nil) throws -> JPEGInfo {
        try data.withUnsafeBytes { raw in
            let src = source ?? ImageError.memorySource(raw.count)
            let (decoder, info) = try open(raw, source: src)
            cn_jpeg_close(decoder)
            return JPEGInfo(width: Int(info.width), height: Int(info.height), components: Int(info.components),
                            progressive: info.progressive != 0)
        }
    }

    /// Decodes in-memory JPEG data to opaque RGBA8 (libjpeg-turbo's JCS_EXT_RGBA output).
    public static func decodeRGBA(_ data: [UInt8], options: JPEGDecodeOptions = .standard, source: String? = nil) throws -> RGBAImage {
        let (w, h, bytes) = try decode(data, layout: CN_JPEG_OUT_RGBA, channels: 4, options: options, source: source)
        return RGBAImage(width: w, height: h, pixels: bytes)
    }

    /// Decodes in-memory JPEG data to 8-bit gray (the Y channel, as `djpeg -grayscale`).
    public static func decodeGray(_ data: [UInt8], options: JPEGDecodeOptions = .standard, source: String? = nil) throws -> GrayImage {
        let (w, h, bytes) = try decode(data, layout: CN_JPEG_OUT_GRAY, channels: 1, options: options, source: source)
        return GrayImage(width: w, height: h, pixels: bytes)
    }

    /// Decodes in-memory JPEG data to packed RGB (3 bytes a pixel), the layout of a PPM / `djpeg` output.
    public static func decodeRGB(_ data: [UInt8], options: JPEGDecodeOptions = .standard, source: String? = nil) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let (w, h, bytes) = try decode(data, layout: CN_JPEG_OUT_RGB, channels: 3, options: options, source: source)
        return (w, h, bytes)
    }

    /// Decodes in-memory JPEG data into `image`, reusing its pixel storage when the size matches
    /// (no allocation in a decode loop over same-size images); otherwise `image` is replaced.
    public static func decodeRGBA(_ data: [UInt8], into image: inout RGBAImage, options: JPEGDecodeOptions = .standard,
                                  source: String? = nil) throws {
        try data.withUnsafeBytes { raw in
            let src = source ?? ImageError.memorySource(raw.count)
            let (decoder, info) = try open(raw, source: src)
            defer { cn_jpeg_close(decoder) }
            let width = Int(info.width), height = Int(info.height)
            try options.limits.check(width: width, height: height, source: src)
            if image.width != width || image.height != height {
                image = RGBAImage(width: width, height: height)
            }
            var message = [CChar](repeating: 0, count: Int(CN_JPEG_MESSAGE_MAX))
            let status = image.pixels.withUnsafeMutableBufferPointer { buffer in
                cn_jpeg_decode(decoder, CN_JPEG_OUT_RGBA, options.dctMethod.rawValue, options.fancyUpsampling ? 1 : 0,
                               options.strict ? 1 : 0, buffer.baseAddress, width * 4, &message)
            }
            if status != CN_JPEG_OK { throw error(status, message, source: src) }
        }
    }

    /// Decodes a JPEG file to RGBA8 (the file size is checked against `options.limits` first).
    public static func decodeRGBA(contentsOf path: String, options: JPEGDecodeOptions = .standard) throws -> RGBAImage {
        try decodeRGBA(FileBytes.read(path, limits: options.limits), options: options, source: ImageError.fileSource(path))
    }

    /// Decodes a JPEG file to 8-bit gray.
    public static func decodeGray(contentsOf path: String, options: JPEGDecodeOptions = .standard) throws -> GrayImage {
        try decodeGray(FileBytes.read(path, limits: options.limits), options: options, source: ImageError.fileSource(path))
    }

    /// Encodes RGBA8 as a JPEG (alpha is ignored: composite over a background first).
    public static func encode(_ image: RGBAImage, options: JPEGEncodeOptions = JPEGEncodeOptions()) throws -> [UInt8] {
        try image.pixels.withUnsafeBytes { raw in
            try encode(raw, width: image.width, height: image.height, stride: image.width * 4, layout: CN_JPEG_OUT_RGBA, options: options)
        }
    }

    /// Encodes an 8-bit gray image as a one-component JPEG.
    public static func encode(_ image: GrayImage, options: JPEGEncodeOptions = JPEGEncodeOptions()) throws -> [UInt8] {
        try image.pixels.withUnsafeBytes { raw in
            try encode(raw, width: image.width, height: image.height, stride: image.width, layout: CN_JPEG_OUT_GRAY, options: options)
        }
    }

    // MARK: - Internals

    private static func open(_ raw: UnsafeRawBufferPointer, source: String) throws -> (OpaquePointer, cn_jpeg_info) {
        if raw.isEmpty { throw ImageError(.emptyFile, source: source, detail: "no bytes to decode") }
        guard isJPEG(raw) else {
            throw ImageError(.notAnImage, source: source, detail: "does not start with a JPEG marker (FF D8 FF)")
        }
        var info = cn_jpeg_info()
        var decoder: OpaquePointer?
        var message = [CChar](repeating: 0, count: Int(CN_JPEG_MESSAGE_MAX))
        let status = cn_jpeg_open(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), raw.count, &decoder, &info, &message)
        if status != CN_JPEG_OK { throw error(status, message, source: source) }
        return (decoder!, info)
    }

    private static func decode(_ data: [UInt8], layout: Int32, channels: Int, options: JPEGDecodeOptions,
                               source: String?) throws -> (Int, Int, [UInt8]) {
        try data.withUnsafeBytes { raw in
            let src = source ?? ImageError.memorySource(raw.count)
            let (decoder, info) = try open(raw, source: src)
            defer { cn_jpeg_close(decoder) }
            let width = Int(info.width), height = Int(info.height)
            try options.limits.check(width: width, height: height, source: src)
            let stride = width * channels
            var message = [CChar](repeating: 0, count: Int(CN_JPEG_MESSAGE_MAX))
            var status: Int32 = CN_JPEG_OK
            let pixels = [UInt8](unsafeUninitializedCapacity: stride * height) { buffer, count in
                status = cn_jpeg_decode(decoder, layout, options.dctMethod.rawValue, options.fancyUpsampling ? 1 : 0,
                                        options.strict ? 1 : 0, buffer.baseAddress, stride, &message)
                count = status == CN_JPEG_OK ? stride * height : 0
            }
            if status != CN_JPEG_OK { throw error(status, message, source: src) }
            return (width, height, pixels)
        }
    }

    private static func encode(_ raw: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int, layout: Int32,
                               options: JPEGEncodeOptions) throws -> [UInt8] {
        let source = "JPEG encoder (\(width)x\(height))"
        guard width > 0, height > 0, width <= 65500, height <= 65500 else {
            throw ImageError(.encodeFailed, source: source, detail: "JPEG sides must be 1...65500 pixels")
        }
        guard (1...100).contains(options.quality) else {
            throw ImageError(.invalidArgument, source: source, detail: "quality \(options.quality) is outside 1...100")
        }
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: Int(CN_JPEG_MESSAGE_MAX))
        let status = cn_jpeg_encode(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), stride, Int32(width), Int32(height),
                                    layout, Int32(options.quality), options.subsampling.rawValue, options.progressive ? 1 : 0,
                                    options.optimizeCoding ? 1 : 0, options.dctMethod.rawValue, &out, &size, &message)
        guard status == CN_JPEG_OK, let out else {
            throw ImageError(.encodeFailed, source: source, detail: "libjpeg: \(cMessage(message))")
        }
        defer { cn_jpeg_free(out) }
        return [UInt8](UnsafeBufferPointer(start: out, count: Int(size)))
    }

    private static func error(_ status: Int32, _ message: [CChar], source: String) -> ImageError {
        let text = cMessage(message)
        switch status {
        case CN_JPEG_TRUNCATED: return ImageError(.truncatedImage, source: source, detail: "JPEG data ends early (libjpeg: \(text))")
        case CN_JPEG_UNSUPPORTED: return ImageError(.unsupportedJPEG, source: source, detail: "libjpeg: \(text)")
        case CN_JPEG_NOMEM: return ImageError(.corruptJPEG, source: source, detail: "out of memory while decoding")
        default: return ImageError(.corruptJPEG, source: source, detail: "libjpeg: \(text)")
        }
    }
}
