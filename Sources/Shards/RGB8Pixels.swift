/// A plain interleaved 8-bit RGB raster (row-major, no padding) that the concat construction works
/// on, so it needs nothing from the image codecs; `Imaging` images convert to and from it.
public struct RGB8Pixels: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// width * height * 3 bytes, R G B per pixel.
    public var bytes: [UInt8]

    /// Wraps existing RGB bytes; throws when the count does not match the size.
    public init(width: Int, height: Int, bytes: [UInt8]) throws {
        guard width > 0, height > 0, bytes.count == width * height * 3 else {
            throw ShardError(.badRaster, "RGB raster of \(width)x\(height) needs \(max(0, width * height * 3)) bytes, got \(bytes.count)")
        }
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    /// A raster filled with one colour (white by default, CustomNet's canvas).
    public init(width: Int, height: Int, fill: UInt8 = 255) {
        self.width = width
        self.height = height
        self.bytes = [UInt8](repeating: fill, count: width * height * 3)
    }

    /// Flattens straight-alpha RGBA bytes over white (Zero-1-to-3: transparent background -> white).
    public static func flatteningRGBA(width: Int, height: Int, rgba: [UInt8]) throws -> RGB8Pixels {
        guard width > 0, height > 0, rgba.count == width * height * 4 else {
            throw ShardError(.badRaster, "RGBA raster of \(width)x\(height) needs \(max(0, width * height * 4)) bytes, got \(rgba.count)")
        }
        var out = [UInt8](repeating: 255, count: width * height * 3)
        for i in 0..<(width * height) {
            let a = Int(rgba[4 * i + 3])
            for c in 0..<3 {
                out[3 * i + c] = UInt8((Int(rgba[4 * i + c]) * a + 255 * (255 - a) + 127) / 255)
            }
        }
        return try RGB8Pixels(width: width, height: height, bytes: out)
    }
}
