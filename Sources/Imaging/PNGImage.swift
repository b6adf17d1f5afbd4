/// A decoded PNG kept in its own pixel format (libpng manual, "IHDR": bit depth and colour type)
/// so that decode -> encode is bit-exact: rows are the PNG's raw scanlines after de-interlacing
/// (samples of 16-bit images big-endian, pixels of 1/2/4-bit images packed MSB first),
/// plus PLTE and tRNS.
public struct PNGImage: Sendable, Equatable {
    /// The five PNG colour types (PNG spec 11.2.2), raw values as in IHDR.
    public enum ColorType: Int, Sendable {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6
        /// Samples per pixel.
        public var channels: Int {
            switch self { case .gray, .palette: return 1; case .grayAlpha: return 2; case .rgb: return 3; case .rgba: return 4 }
        }
        /// Bit depths the PNG spec allows for this colour type.
        public var allowedBitDepths: [Int] {
            switch self {
            case .gray: return [1, 2, 4, 8, 16]
            case .palette: return [1, 2, 4, 8]
            case .rgb, .grayAlpha, .rgba: return [8, 16]
            }
        }
    }

    /// Size in pixels.
    public let width: Int, height: Int
    /// Colour type and bits per sample.
    public let colorType: ColorType, bitDepth: Int
    /// Raw scanlines, `rowBytes` each, no filter bytes.
    public var rows: [UInt8]
    /// PLTE entries as R, G, B triplets (palette images; empty otherwise).
    public var palette: [UInt8]
    /// tRNS alpha per palette entry (may be shorter than the palette; empty = opaque).
    public var paletteAlpha: [UInt8]
    /// tRNS key colour of gray (1 value) or RGB (3 values) images; nil when absent.
    public var transparentColor: [UInt16]?

    /// Bytes per raw scanline: ceil(width * channels * bitDepth / 8).
    public var rowBytes: Int { (width * colorType.channels * bitDepth + 7) / 8 }

    /// Creates a PNG image; throws `unsupported-png` for a bit depth the colour type does not allow
    /// and `invalid-image-argument` when `rows` has the wrong length.
    public init(width: Int, height: Int, colorType: ColorType, bitDepth: Int, rows: [UInt8],
                palette: [UInt8] = [], paletteAlpha: [UInt8] = [], transparentColor: [UInt16]? = nil) throws {
        let source = "PNG image (\(width)x\(height))"
        guard colorType.allowedBitDepths.contains(bitDepth) else {
            throw ImageError(.unsupportedPNG, source: source, detail: "bit depth \(bitDepth) is not allowed for colour type \(colorType)")
        }
        self.width = width; self.height = height; self.colorType = colorType; self.bitDepth = bitDepth
        self.rows = rows; self.palette = palette; self.paletteAlpha = paletteAlpha; self.transparentColor = transparentColor
        guard width > 0, height > 0, rows.count == rowBytes * height else {
            throw ImageError(.invalidArgument, source: source, detail: "expected \(rowBytes * height) row bytes, got \(rows.count)")
        }
        if colorType == .palette, palette.isEmpty || palette.count % 3 != 0 || palette.count > 768 {
            throw ImageError(.invalidArgument, source: source, detail: "a palette image needs 1...256 RGB palette entries")
        }
    }

    /// Sample `channel` of pixel (x, y) as an integer in 0..<2^bitDepth (palette index for palette images).
    public func sample(x: Int, y: Int, channel: Int = 0) -> Int {
        let base = y * rowBytes
        let index = x * colorType.channels + channel
        switch bitDepth {
        case 16: return Int(rows[base + 2 * index]) << 8 | Int(rows[base + 2 * index + 1])
        case 8: return Int(rows[base + index])
        default:
            let bit = index * bitDepth
            let byte = rows[base + bit / 8]
            let shift = 8 - bitDepth - bit % 8
            return Int(byte >> UInt8(shift)) & ((1 << bitDepth) - 1)
        }
    }
}
