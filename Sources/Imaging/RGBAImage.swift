/// An 8-bit straight-alpha RGBA image: `width` x `height` pixels, rows top to bottom, 4 bytes per
/// pixel (R, G, B, A), contiguous with no row padding (Pillow's "RGBA" mode layout).
public struct RGBAImage: Sendable, Equatable {
    /// Size in pixels.
    public let width: Int, height: Int
    /// width * height * 4 bytes, row-major.
    public var pixels: [UInt8]

    /// Wraps existing bytes; `pixels.count` must equal width * height * 4.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 4, "RGBAImage: byte count does not match \(width)x\(height)x4")
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// A `width` x `height` image filled with `color` (transparent black by default).
    public init(width: Int, height: Int, fill color: RGBA8 = .transparent) {
        precondition(width >= 0 && height >= 0)
        self.width = width; self.height = height
        if color == .transparent {
            pixels = [UInt8](repeating: 0, count: width * height * 4)
        } else {
            pixels = [UInt8](unsafeUninitializedCapacity: width * height * 4) { buffer, count in
                var i = 0
                while i < width * height * 4 {
                    buffer[i] = color.r; buffer[i + 1] = color.g; buffer[i + 2] = color.b; buffer[i + 3] = color.a
                    i += 4
                }
                count = width * height * 4
            }
        }
    }

    /// The whole image as a rectangle.
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    /// The pixel at column `x`, row `y` (both must be in range).
    public subscript(x: Int, y: Int) -> RGBA8 {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height)
            let i = (y * width + x) * 4
            return RGBA8(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height)
            let i = (y * width + x) * 4
            pixels[i] = newValue.r; pixels[i + 1] = newValue.g; pixels[i + 2] = newValue.b; pixels[i + 3] = newValue.a
        }
    }

    /// A gray image expanded to opaque RGBA (R = G = B = value), as Pillow's convert("RGBA") from "L".
    public init(gray: GrayImage) {
        self.width = gray.width; self.height = gray.height
        let count = gray.pixels.count
        pixels = [UInt8](unsafeUninitializedCapacity: count * 4) { buffer, initialized in
            gray.pixels.withUnsafeBufferPointer { src in
                for i in 0..<count {
                    let v = src[i]
                    buffer[4 * i] = v; buffer[4 * i + 1] = v; buffer[4 * i + 2] = v; buffer[4 * i + 3] = 255
                }
            }
            initialized = count * 4
        }
    }

    /// The colour of `source` with `alpha` as the alpha channel (Pillow's putalpha); sizes must match.
    public init(rgb source: RGBAImage, alpha: GrayImage) {
        precondition(source.width == alpha.width && source.height == alpha.height, "RGBAImage(rgb:alpha:): sizes differ")
        var result = source
        result.pixels.withUnsafeMutableBufferPointer { dst in
            alpha.pixels.withUnsafeBufferPointer { a in
                for i in 0..<a.count { dst[4 * i + 3] = a[i] }
            }
        }
        self = result
    }

    /// The alpha channel as a gray image (the object mask of a rendered or cut-out RGBA image).
    public func alphaChannel() -> GrayImage { channel(3) }

    /// One channel (0 R, 1 G, 2 B, 3 A) as a gray image.
    public func channel(_ index: Int) -> GrayImage {
        precondition((0..<4).contains(index))
        let count = width * height
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<count { buffer[i] = src[4 * i + index] }
            }
            initialized = count
        }
        return GrayImage(width: width, height: height, pixels: bytes)
    }

    /// Luma as Pillow's convert("L"): L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16 (ITU-R 601-2); alpha ignored.
    public func luminance() -> GrayImage {
        let count = width * height
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<count {
                    let r = UInt32(src[4 * i]), g = UInt32(src[4 * i + 1]), b = UInt32(src[4 * i + 2])
                    buffer[i] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
                }
            }
            initialized = count
        }
        return GrayImage(width: width, height: height, pixels: bytes)
    }
}
