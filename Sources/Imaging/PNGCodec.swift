import CPNGShim

/// PNG decoding and encoding through libpng's classic API behind the setjmp shim of
/// Sources/CPNGShim (libpng manual, sections III and IV). `decode` keeps the file's pixel format
/// (bit-exact); `decodeRGBA` / `decodeGray` let libpng convert straight into the destination.
/// Headers are checked against `ImageLimits` before any pixel allocation.
public enum PNG {
    /// The 8-byte PNG signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// True when `bytes` start with the PNG signature.
    public static func isPNG(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 8 && zip(bytes.prefix(8), signature).allSatisfy { $0 == $1 }
    }

    /// What a PNG header says: size, colour type and bit depth.
    public struct Info: Sendable, Equatable {
        /// Size in pixels.
        public var width: Int, height: Int
        /// IHDR colour type and bit depth.
        public var colorType: PNGImage.ColorType, bitDepth: Int
        /// Adam7 interlaced.
        public var interlaced: Bool
    }

    /// Compression settings (libpng manual, "Setting the compression level"); defaults match Pillow
    /// (zlib level 6, libpng's adaptive filter choice).
    public struct EncodeOptions: Sendable, Equatable {
        /// Compression level 0...9 (libdeflate for 8-bit gray/RGB/RGBA, zlib through libpng otherwise).
        public var compressionLevel: Int
        /// Use only the None filter (faster, larger) instead of libpng's adaptive choice.
        public var noFilter: Bool
        /// Write Adam7-interlaced (larger, slower; for tests and progressive display).
        public var interlaced: Bool
        /// Creates options.
        public init(compressionLevel: Int = 6, noFilter: Bool = false, interlaced: Bool = false) {
            self.compressionLevel = compressionLevel; self.noFilter = noFilter; self.interlaced = interlaced
        }
    }

    /// Reads the header of in-memory PNG data (IHDR) without decoding pixels.
    public static func readHeader(_ data: [UInt8], source: String? = nil) throws -> Info {
        try data.withUnsafeBytes { raw in
            let src = source ?? ImageError.memorySource(raw.count)
            let (decoder, info) = try open(raw, source: src)
            cn_png_close(decoder)
            return try makeInfo(info, source: src)
        }
    }

    /// Decodes in-memory PNG data keeping its format (bit-exact).
    public static func decode(_ data: [UInt8], limits: ImageLimits = .standard, source: String? = nil) throws -> PNGImage {
        try data.withUnsafeBytes { raw in
            let src = source ?? ImageError.memorySource(raw.count)
            if let fast = try DeflatePNGReader.decode(raw, limits: limits, source: src) { return fast }
            let (decoder, cinfo) = try open(raw, source: src)
            defer { cn_png_close(decoder) }
            let info = try makeInfo(cinfo, source: src)
            try limits.check(width: info.width, height: info.height, source: src)
            let rowBytes = Int(cinfo.raw_row_bytes)
            let rows = try read(decoder, layout: CN_PNG_OUT_RAW, stride: rowBytes, height: info.height, source: src)
            var palette = [UInt8](), alpha = [UInt8](), key: [UInt16]? = nil
            withUnsafeBytes(of: cinfo.palette) { palette = Array($0.prefix(Int(cinfo.palette_count) * 3)) }
            if info.colorType == .palette {
                withUnsafeBytes(of: cinfo.trns_alpha) { alpha = Array($0.prefix(Int(cinfo.trns_count))) }
            } else if cinfo.trns_count > 0 {
                key = info.colorType == .gray ? [cinfo.trns_color.0] : [cinfo.trns_color.0, cinfo.trns_color.1, cinfo.trns_color.2]
            }
            return try PNGImage(width: info.width, height: info.height, colorType: info.colorType, bitDepth: info.bitDepth,
                                rows: rows, palette: info.colorType == .palette ? palette : [], paletteAlpha: alpha,
                                transparentColor: key)
        }
    }

    /// Decodes in-memory PNG data to RGBA8: palette and low-bit gray expanded, tRNS to alpha,
    /// 16-bit samples reduced to their high byte (Pillow's "RGB;16B" unpacker does the same).
    public static func decodeRGBA(_ data: [UInt8], limits: ImageLimits = .standard, source: String? = nil) throws -> RGBAImage {
        let (w, h, bytes) = try decodeConverted(data, layout: CN_PNG_OUT_RGBA8, channels: 4, limits: limits, source: source)
        return RGBAImage(width: w, height: h, pixels: bytes)
    }

    /// Decodes in-memory PNG data to 8-bit gray: alpha dropped, colour converted with ITU-R 601-2
    /// weights (libpng's rgb_to_gray), 1/2/4-bit gray scaled to 0...255 (a 1-bit mask becomes 0/255).
    public static func decodeGray(_ data: [UInt8], limits: ImageLimits = .standard, source: String? = nil) throws -> GrayImage {
        let (w, h, bytes) = try decodeConverted(data, layout: CN_PNG_OUT_GRAY8, channels: 1, limits: limits, source: source)
        return GrayImage(width: w, height: h, pixels: bytes)
    }

    /// Decodes a PNG file keeping its format.
    public static func decode(contentsOf path: String, limits: ImageLimits = .standard) throws -> PNGImage {
        try decode(FileBytes.read(path, limits: limits), limits: limits, source: ImageError.fileSource(path))
    }

    /// Decodes a PNG file to RGBA8.
    public static func decodeRGBA(contentsOf path: String, limits: ImageLimits = .standard) throws -> RGBAImage {
        try decodeRGBA(FileBytes.read(path, limits: limits), limits: limits, source: ImageError.fileSource(path))
    }

    /// Decodes a PNG file to 8-bit gray.
    public static func decodeGray(contentsOf path: String, limits: ImageLimits = .standard) throws -> GrayImage {
        try decodeGray(FileBytes.read(path, limits: limits), limits: limits, source: ImageError.fileSource(path))
    }

    /// Encodes a `PNGImage` in its own format (interlaced only when `options.interlaced`).
    public static func encode(_ image: PNGImage, options: EncodeOptions = EncodeOptions()) throws -> [UInt8] {
        let key = image.transparentColor.map { $0 + [0, 0, 0] } ?? [0, 0, 0]
        let trnsCount: Int32 = image.colorType == .palette ? Int32(image.paletteAlpha.count) : (image.transparentColor == nil ? 0 : 1)
        return try image.rows.withUnsafeBytes { raw in
            try image.palette.withUnsafeBufferPointer { pal in
                try image.paletteAlpha.withUnsafeBufferPointer { alpha in
                    try key.withUnsafeBufferPointer { keyBuffer in
                        try encodeRaw(raw, stride: image.rowBytes, width: image.width, height: image.height,
                                      bitDepth: image.bitDepth, colorType: image.colorType.rawValue,
                                      palette: pal.baseAddress, paletteCount: Int32(image.palette.count / 3),
                                      alpha: alpha.baseAddress, trnsCount: trnsCount, key: keyBuffer.baseAddress, options: options)
                    }
                }
            }
        }
    }

    /// Encodes RGBA8 as an 8-bit RGBA PNG.
    public static func encode(_ image: RGBAImage, options: EncodeOptions = EncodeOptions()) throws -> [UInt8] {
        try image.pixels.withUnsafeBytes { raw in
            try encodeRaw(raw, stride: image.width * 4, width: image.width, height: image.height, bitDepth: 8,
                          colorType: PNGImage.ColorType.rgba.rawValue, palette: nil, paletteCount: 0, alpha: nil,
                          trnsCount: 0, key: nil, options: options)
        }
    }

    /// Encodes RGBA8 as an 8-bit RGB PNG, dropping alpha (for opaque images; a quarter smaller).
    public static func encodeOpaque(_ image: RGBAImage, options: EncodeOptions = EncodeOptions()) throws -> [UInt8] {
        let n = image.width * image.height
        let rgb = [UInt8](unsafeUninitializedCapacity: n * 3) { out, count in
            image.pixels.withUnsafeBufferPointer { src in
                for i in 0..<n { out[3 * i] = src[4 * i]; out[3 * i + 1] = src[4 * i + 1]; out[3 * i + 2] = src[4 * i + 2] }
            }
            count = n * 3
        }
        return try rgb.withUnsafeBytes { raw in
            try encodeRaw(raw, stride: image.width * 3, width: image.width, height: image.height, bitDepth: 8,
                          colorType: PNGImage.ColorType.rgb.rawValue, palette: nil, paletteCount: 0, alpha: nil,
                          trnsCount: 0, key: nil, options: options)
        }
    }

    /// Encodes an 8-bit gray image (masks) as an 8-bit gray PNG.
    public static func encode(_ image: GrayImage, options: EncodeOptions = EncodeOptions()) throws -> [UInt8] {
        try image.pixels.withUnsafeBytes { raw in
            try encodeRaw(raw, stride: image.width, width: image.width, height: image.height, bitDepth: 8,
                          colorType: PNGImage.ColorType.gray.rawValue, palette: nil, paletteCount: 0, alpha: nil,
                          trnsCount: 0, key: nil, options: options)
        }
    }

    // MARK: - Internals

    private static func open(_ raw: UnsafeRawBufferPointer, source: String) throws -> (OpaquePointer, cn_png_info) {
        if raw.isEmpty { throw ImageError(.emptyFile, source: source, detail: "no bytes to decode") }
        guard isPNG(raw) else { throw ImageError(.notAnImage, source: source, detail: "does not start with the PNG signature") }
        var info = cn_png_info()
        var decoder: OpaquePointer?
        var message = [CChar](repeating: 0, count: Int(CN_PNG_MESSAGE_MAX))
        let status = cn_png_open(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), raw.count, &decoder, &info, &message)
        if status != CN_PNG_OK { throw error(status, message, source: source) }
        return (decoder!, info)
    }

    private static func makeInfo(_ info: cn_png_info, source: String) throws -> Info {
        guard let type = PNGImage.ColorType(rawValue: Int(info.color_type)) else {
            throw ImageError(.unsupportedPNG, source: source, detail: "unknown colour type \(info.color_type)")
        }
        return Info(width: Int(info.width), height: Int(info.height), colorType: type, bitDepth: Int(info.bit_depth),
                    interlaced: info.interlaced != 0)
    }

    private static func read(_ decoder: OpaquePointer, layout: Int32, stride: Int, height: Int, source: String) throws -> [UInt8] {
        var message = [CChar](repeating: 0, count: Int(CN_PNG_MESSAGE_MAX))
        var status: Int32 = CN_PNG_OK
        let bytes = [UInt8](unsafeUninitializedCapacity: stride * height) { buffer, count in
            status = cn_png_decode(decoder, layout, buffer.baseAddress, stride, &message)
            count = status == CN_PNG_OK ? stride * height : 0
        }
        if status != CN_PNG_OK { throw error(status, message, source: source) }
        return bytes
    }

    private static func decodeConverted(_ data: [UInt8], layout: Int32, channels: Int, limits: ImageLimits,
                                        source: String?) throws -> (Int, Int, [UInt8]) {
        try data.withUnsafeBytes { raw in
            let src = source ?? ImageError.memorySource(raw.count)
            let (decoder, cinfo) = try open(raw, source: src)
            defer { cn_png_close(decoder) }
            let info = try makeInfo(cinfo, source: src)
            try limits.check(width: info.width, height: info.height, source: src)
            let bytes = try read(decoder, layout: layout, stride: info.width * channels, height: info.height, source: src)
            return (info.width, info.height, bytes)
        }
    }

    private static func encodeRaw(_ raw: UnsafeRawBufferPointer, stride: Int, width: Int, height: Int, bitDepth: Int,
                                  colorType: Int, palette: UnsafePointer<UInt8>?, paletteCount: Int32,
                                  alpha: UnsafePointer<UInt8>?, trnsCount: Int32, key: UnsafePointer<UInt16>?,
                                  options: EncodeOptions) throws -> [UInt8] {
        let source = "PNG encoder (\(width)x\(height))"
        guard width > 0, height > 0, raw.count >= stride * height else {
            throw ImageError(.encodeFailed, source: source, detail: "an image needs at least one pixel and all its rows")
        }
        if DeflatePNGWriter.handles(bitDepth: bitDepth, colorType: colorType, interlaced: options.interlaced,
                                    hasTransparency: trnsCount > 0 || paletteCount > 0) {
            return DeflatePNGWriter.encode(raw, stride: stride, width: width, height: height, colorType: colorType,
                                           level: options.compressionLevel, noFilter: options.noFilter)
        }
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(CN_PNG_MESSAGE_MAX))
        let status = cn_png_encode(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), stride, UInt32(width), UInt32(height),
                                   Int32(bitDepth), Int32(colorType), palette, paletteCount, alpha, trnsCount, key,
                                   Int32(max(0, min(9, options.compressionLevel))), options.noFilter ? 0x08 : -1, options.interlaced ? 1 : 0,
                                   &out, &size, &message)
        guard status == CN_PNG_OK, let out else {
            throw ImageError(.encodeFailed, source: source, detail: "libpng: \(cMessage(message))")
        }
        defer { cn_png_free(out) }
        return [UInt8](UnsafeBufferPointer(start: out, count: size))
    }

    private static func error(_ status: Int32, _ message: [CChar], source: String) -> ImageError {
        let text = cMessage(message)
        switch status {
        case CN_PNG_TRUNCATED: return ImageError(.truncatedImage, source: source, detail: "PNG data ends early (\(text))")
        case CN_PNG_NOT_PNG: return ImageError(.notAnImage, source: source, detail: text)
        case CN_PNG_NOMEM: return ImageError(.corruptPNG, source: source, detail: "out of memory while decoding")
        default: return ImageError(.corruptPNG, source: source, detail: "libpng: \(text)")
        }
    }
}
