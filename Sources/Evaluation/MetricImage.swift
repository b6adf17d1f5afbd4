// The 8-bit image every metric reads: predictions and targets as files (PNG / JPEG through
// Imaging), RGBA composited over white as zero123's training data treats transparency
// (zero123 `ldm/data/simple.py`: alpha 0 -> white), or gray / RGB pixels made in memory.
import Foundation
import Imaging
import Tensor

/// An 8-bit image of 1 (gray) or 3 (RGB) interleaved channels, row-major (H, W, C), as numpy
/// holds a `uint8` array of shape (H, W) or (H, W, 3) for scikit-image.
public struct MetricImage: Sendable, Equatable {
    /// Size in pixels.
    public let width: Int, height: Int
    /// 1 for gray, 3 for RGB.
    public let channels: Int
    /// The samples, (y * width + x) * channels + c.
    public let pixels: [UInt8]

    /// Wraps samples; their count must be width x height x channels, channels 1 or 3.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard channels == 1 || channels == 3, width > 0, height > 0, pixels.count == width * height * channels else {
            throw EvaluationError(.badImage, "an image needs 1 or 3 channels and width x height x channels samples; got \(width)x\(height)x\(channels) with \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The RGB of an RGBA image composited over white (transparent pixels become white).
    public init(rgba: RGBAImage) {
        let opaque = rgba.composited(over: .white)
        var rgb = [UInt8](repeating: 0, count: opaque.width * opaque.height * 3)
        for i in 0..<(opaque.width * opaque.height) {
            rgb[3 * i] = opaque.pixels[4 * i]
            rgb[3 * i + 1] = opaque.pixels[4 * i + 1]
            rgb[3 * i + 2] = opaque.pixels[4 * i + 2]
        }
        width = opaque.width
        height = opaque.height
        channels = 3
        pixels = rgb
    }

    /// Loads a PNG or JPEG as RGB composited over white.
    public static func load(_ path: String) throws -> MetricImage {
        do {
            return MetricImage(rgba: try ImageFile.loadRGBA(path))
        } catch {
            throw EvaluationError(.badImage, "cannot read image \(path): \(error)")
        }
    }

    /// This image as RGB (gray replicated).
    public var rgb: MetricImage {
        guard channels == 1 else { return self }
        var out = [UInt8](repeating: 0, count: pixels.count * 3)
        for (i, v) in pixels.enumerated() { out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v }
        return try! MetricImage(width: width, height: height, channels: 3, pixels: out)
    }

    /// This image as an opaque RGBA image (for grids and thumbnails).
    public var rgbaImage: RGBAImage {
        let source = rgb.pixels
        var out = [UInt8](repeating: 255, count: width * height * 4)
        for i in 0..<(width * height) {
            out[4 * i] = source[3 * i]; out[4 * i + 1] = source[3 * i + 1]; out[4 * i + 2] = source[3 * i + 2]
        }
        return RGBAImage(width: width, height: height, pixels: out)
    }

    /// Channel `c` as doubles (the float64 plane scikit-image computes on).
    public func plane(_ c: Int) -> [Double] {
        precondition(c < channels, "channel \(c) of a \(channels)-channel image")
        var out = [Double](repeating: 0, count: width * height)
        for i in 0..<(width * height) { out[i] = Double(pixels[i * channels + c]) }
        return out
    }

    /// The RGB image as a [1, 3, H, W] float32 tensor with values v / 127.5 - 1 in [-1, 1]
    /// (lpips `im2tensor`: image / (255 / 2) - 1).
    public func tensorMinusOneToOne() -> Tensor {
        let source = rgb.pixels, plane = width * height
        var t = Tensor(shape: [1, 3, height, width])
        for i in 0..<plane {
            for c in 0..<3 { t.data[c * plane + i] = Float(source[3 * i + c]) / 127.5 - 1 }
        }
        return t
    }

    /// Checks that two images can be compared pixel by pixel.
    static func checkComparable(_ a: MetricImage, _ b: MetricImage) throws {
        guard a.width == b.width, a.height == b.height, a.channels == b.channels else {
            throw EvaluationError(.sizeMismatch, "images differ in shape: \(a.width)x\(a.height)x\(a.channels) vs \(b.width)x\(b.height)x\(b.channels)")
        }
    }
}
