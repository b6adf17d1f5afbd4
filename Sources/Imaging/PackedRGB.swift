/// Packed 8-bit RGB (3 bytes per pixel, no alpha) to and from `RGBAImage`: the layout
/// image-conditioned models and numpy `HxWx3` arrays use.
extension RGBAImage {
    /// An opaque image from packed RGB bytes (`rgb.count` must be width * height * 3).
    public init(packedRGB rgb: [UInt8], width: Int, height: Int) {
        precondition(width >= 0 && height >= 0 && rgb.count == width * height * 3, "packed RGB: byte count does not match \(width)x\(height)x3")
        let count = width * height
        let pixels = [UInt8](unsafeUninitializedCapacity: count * 4) { buffer, initialized in
            rgb.withUnsafeBufferPointer { src in
                for i in 0..<count {
                    buffer[4 * i] = src[3 * i]; buffer[4 * i + 1] = src[3 * i + 1]; buffer[4 * i + 2] = src[3 * i + 2]; buffer[4 * i + 3] = 255
                }
            }
            initialized = count * 4
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The colour channels as packed RGB bytes (alpha dropped, not composited).
    public var packedRGB: [UInt8] {
        let count = width * height
        return [UInt8](unsafeUninitializedCapacity: count * 3) { buffer, initialized in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<count {
                    buffer[3 * i] = src[4 * i]; buffer[3 * i + 1] = src[4 * i + 1]; buffer[3 * i + 2] = src[4 * i + 2]
                }
            }
            initialized = count * 3
        }
    }
}
