/// Limits that stop decompression bombs: checked against the header BEFORE any pixel buffer is
/// allocated (docs/CONTRACTS.md, "Limits on image size, file size ... stop decompression bombs").
public struct ImageLimits: Sendable, Equatable {
    /// Largest accepted width x height; default 64 Mpixel (64 x 2^20 = 67,108,864 pixels).
    public var maxPixels: Int
    /// Largest accepted file size when reading from disk; default 512 MiB.
    public var maxFileBytes: Int

    /// Creates limits; the defaults are 64 Mpixel and 512 MiB.
    public init(maxPixels: Int = 64 << 20, maxFileBytes: Int = 512 << 20) {
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
    }

    /// 64 Mpixel, 512 MiB.
    public static let standard = ImageLimits()

    /// Throws `image-too-large` when `width` x `height` exceeds `maxPixels` (or a side is not positive).
    public func check(width: Int, height: Int, source: String) throws {
        guard width > 0, height > 0 else {
            throw ImageError(.notAnImage, source: source, detail: "the header claims a \(width) x \(height) image")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maxPixels {
            throw ImageError(.imageTooLarge, source: source,
                             detail: "the header claims \(width) x \(height) pixels, above the limit of \(maxPixels)")
        }
    }
}
