/// A floating-point image, channels-last (HWC: `data[(y * width + x) * channels + c]`), values
/// nominally in 0...1 — the layout of a NumPy `H x W x C` float32 array and of the renderer's
/// accumulation buffers. Convert to CHW for tensors in the Tensor module, not here.
public struct FloatImage: Sendable, Equatable {
    /// Size in pixels and channels per pixel (1 gray, 3 RGB, 4 RGBA).
    public let width: Int, height: Int, channels: Int
    /// width * height * channels values, row-major, channels interleaved.
    public var data: [Float]

    /// Wraps existing values; `data.count` must equal width * height * channels.
    public init(width: Int, height: Int, channels: Int, data: [Float]) {
        precondition(width >= 0 && height >= 0 && channels > 0 && data.count == width * height * channels,
                     "FloatImage: value count does not match \(width)x\(height)x\(channels)")
        self.width = width; self.height = height; self.channels = channels; self.data = data
    }

    /// A `width` x `height` x `channels` image filled with `value`.
    public init(width: Int, height: Int, channels: Int, fill value: Float = 0) {
        self.init(width: width, height: height, channels: channels,
                  data: [Float](repeating: value, count: width * height * channels))
    }

    /// RGBA8 -> 4-channel floats in 0...1. With `linear`, colour (not alpha) goes through the
    /// sRGB decoding table (`SRGB.toLinear`, IEC 61966-2-1).
    public init(_ image: RGBAImage, linear: Bool = false) {
        let count = image.width * image.height * 4
        let table = linear ? SRGB.toLinear : SRGB.unitScale
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            image.pixels.withUnsafeBufferPointer { src in
                table.withUnsafeBufferPointer { t in
                    var i = 0
                    while i < count {
                        buffer[i] = t[Int(src[i])]; buffer[i + 1] = t[Int(src[i + 1])]; buffer[i + 2] = t[Int(src[i + 2])]
                        buffer[i + 3] = Float(src[i + 3]) * (1 / 255)
                        i += 4
                    }
                }
            }
            initialized = count
        }
        self.init(width: image.width, height: image.height, channels: 4, data: values)
    }

    /// Gray8 -> 1-channel floats in 0...1 (value / 255).
    public init(_ image: GrayImage) {
        self.init(width: image.width, height: image.height, channels: 1,
                  data: image.pixels.map { Float($0) * (1 / 255) })
    }

    /// Floats -> RGBA8, rounding to nearest and clamping to 0...255. 1 channel becomes opaque gray,
    /// 3 channels opaque RGB, 4 channels RGBA. With `linear`, colour goes through `SRGB.encode`.
    public func rgbaImage(linear: Bool = false) -> RGBAImage {
        precondition([1, 3, 4].contains(channels), "FloatImage.rgbaImage: needs 1, 3 or 4 channels")
        let n = width * height
        let ch = channels
        let bytes = [UInt8](unsafeUninitializedCapacity: n * 4) { out, initialized in
            data.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    let base = i * ch
                    let r = src[base], g = ch >= 3 ? src[base + 1] : r, b = ch >= 3 ? src[base + 2] : r
                    if linear {
                        out[4 * i] = SRGB.encode(r); out[4 * i + 1] = SRGB.encode(g); out[4 * i + 2] = SRGB.encode(b)
                    } else {
                        out[4 * i] = Self.toByte(r); out[4 * i + 1] = Self.toByte(g); out[4 * i + 2] = Self.toByte(b)
                    }
                    out[4 * i + 3] = ch == 4 ? Self.toByte(src[base + 3]) : 255
                }
            }
            initialized = n * 4
        }
        return RGBAImage(width: width, height: height, pixels: bytes)
    }

    /// The values in planar order (CHW: all of channel 0 row by row, then channel 1, ...), the
    /// layout of a PyTorch image tensor.
    public func planarData() -> [Float] {
        let n = width * height, ch = channels
        return [Float](unsafeUninitializedCapacity: n * ch) { out, count in
            data.withUnsafeBufferPointer { src in
                for c in 0..<ch { for i in 0..<n { out[c * n + i] = src[i * ch + c] } }
            }
            count = n * ch
        }
    }

    /// Builds a channels-last image from planar (CHW) values.
    public init(width: Int, height: Int, channels: Int, planar: [Float]) {
        precondition(planar.count == width * height * channels, "FloatImage(planar:): value count does not match")
        let n = width * height
        let values = [Float](unsafeUninitializedCapacity: n * channels) { out, count in
            planar.withUnsafeBufferPointer { src in
                for c in 0..<channels { for i in 0..<n { out[i * channels + c] = src[c * n + i] } }
            }
            count = n * channels
        }
        self.init(width: width, height: height, channels: channels, data: values)
    }

    /// Channel 0 -> Gray8 (rounded, clamped).
    public func grayImage() -> GrayImage {
        let n = width * height
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n { out[i] = Self.toByte(data[i * channels]) }
        return GrayImage(width: width, height: height, pixels: out)
    }

    /// 0...1 -> 0...255, round half up, clamped; NaN becomes 0.
    @inline(__always)
    static func toByte(_ v: Float) -> UInt8 {
        let scaled = v * 255 + 0.5
        if !(scaled > 0) { return 0 }
        if scaled >= 255 { return 255 }
        return UInt8(scaled)
    }
}
