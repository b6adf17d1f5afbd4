/// A single-channel 8-bit image (Pillow's "L" mode): gray pictures and object masks
/// (0 background, 255 foreground; `binarized` turns any mask into that form).
public struct GrayImage: Sendable, Equatable {
    /// Size in pixels.
    public let width: Int, height: Int
    /// width * height bytes, row-major, no padding.
    public var pixels: [UInt8]

    /// Wraps existing bytes; `pixels.count` must equal width * height.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height, "GrayImage: byte count does not match \(width)x\(height)")
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// A `width` x `height` image filled with `value`.
    public init(width: Int, height: Int, fill value: UInt8 = 0) {
        precondition(width >= 0 && height >= 0)
        self.width = width; self.height = height
        pixels = [UInt8](repeating: value, count: width * height)
    }

    /// The whole image as a rectangle.
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    /// The value at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> UInt8 {
        get { precondition(x >= 0 && x < width && y >= 0 && y < height); return pixels[y * width + x] }
        set { precondition(x >= 0 && x < width && y >= 0 && y < height); pixels[y * width + x] = newValue }
    }

    /// A 0/255 mask: 255 where the value is greater than `threshold`. Open Images masks: use the
    /// default 127 for 8-bit masks (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html: "any non-zero pixel (or > 127 for 8-bit)").
    public func binarized(threshold: UInt8 = 127) -> GrayImage {
        var out = self
        out.pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = p[i] > threshold ? 255 : 0 }
        }
        return out
    }

    /// Number of pixels whose value is greater than `threshold`.
    public func count(above threshold: UInt8 = 0) -> Int {
        pixels.withUnsafeBufferPointer { p in
            var n = 0
            for v in p where v > threshold { n += 1 }
            return n
        }
    }
}
