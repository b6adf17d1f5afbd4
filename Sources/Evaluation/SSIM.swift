// Follows scikit-image `skimage/metrics/_structural_similarity.py` (`structural_similarity`)
// with scipy.ndimage's `uniform_filter` / `gaussian_filter` (mode 'reflect'), and Wang, Bovik,
// Sheikh, Simoncelli, "Image quality assessment: from error visibility to structural
// similarity", IEEE TIP 2004, for the Gaussian variant.
import Foundation

/// Structural similarity, exactly as `skimage.metrics.structural_similarity`.
///
/// `SSIM.scikitImage` is the function's defaults: a 7 x 7 uniform window, K1 0.01, K2 0.03 and the
/// sample covariance (N / (N - 1), N = 49). `SSIM.gaussian` is the variant scikit-image documents
/// to match Wang et al.: `gaussian_weights=True` (sigma 1.5, truncate 3.5, so 11 taps),
/// `use_sample_covariance=False`. On 8-bit images the data range is 255 (scikit-image's `uint8`
/// default); RGB images are scored per channel and averaged (`channel_axis=-1`). Every local
/// statistic is filtered separably (axis 0 then axis 1) with 'reflect' borders; the SSIM map is
/// cropped by (window - 1) / 2 on every side and averaged in float64. All arithmetic is float64,
/// the type scikit-image computes in for `uint8` input.
public struct SSIM: Sendable, Equatable {
    /// The local window.
    public enum Window: Sendable, Equatable {
        /// A size x size box (`uniform_filter(size=size)`), size odd.
        case uniform(size: Int)
        /// scipy's `gaussian_filter(sigma, truncate)`: radius int(truncate * sigma + 0.5).
        case gaussian(sigma: Double, truncate: Double)
    }

    /// The window.
    public var window: Window
    /// The stabilising constants' factors: C1 = (K1 R)^2, C2 = (K2 R)^2.
    public var k1: Double, k2: Double
    /// Whether variances are scaled by N / (N - 1) (N = window size ^ 2).
    public var sampleCovariance: Bool

    /// A configuration.
    public init(window: Window, k1: Double = 0.01, k2: Double = 0.03, sampleCovariance: Bool) {
        self.window = window
        self.k1 = k1
        self.k2 = k2
        self.sampleCovariance = sampleCovariance
    }

    /// `structural_similarity`'s defaults.
    public static let scikitImage = SSIM(window: .uniform(size: 7), sampleCovariance: true)
    /// Wang et al.'s Gaussian SSIM as scikit-image reproduces it.
    public static let gaussian = SSIM(window: .gaussian(sigma: 1.5, truncate: 3.5), sampleCovariance: false)

    /// The window's side (7, or 11 for sigma 1.5 truncate 3.5).
    public var windowSize: Int {
        switch window {
        case .uniform(let size): size
        case .gaussian(let sigma, let truncate): 2 * Int(truncate * sigma + 0.5) + 1
        }
    }

    /// SSIM of two 8-bit images of the same shape (data range 255, channels averaged).
    public func compute(_ prediction: MetricImage, _ target: MetricImage) throws -> Double {
        try MetricImage.checkComparable(prediction, target)
        var total = 0.0
        for c in 0..<target.channels {
            total += try compute(target.plane(c), prediction.plane(c), width: target.width, height: target.height, dataRange: 255)
        }
        return total / Double(target.channels)
    }

    /// SSIM of two planes (row-major, width x height) with the given data range; throws when an
    /// axis is shorter than the window (scikit-image raises ValueError).
    public func compute(_ x: [Double], _ y: [Double], width: Int, height: Int, dataRange: Double) throws -> Double {
        precondition(x.count == width * height && y.count == width * height, "SSIM planes must hold width x height values")
        let size = windowSize
        guard width >= size, height >= size else {
            throw EvaluationError(.tooSmall, "SSIM's \(size)x\(size) window does not fit a \(width)x\(height) image")
        }
        let filter = SeparableFilter(window: window, width: width, height: height)
        let count = width * height
        var xx = [Double](repeating: 0, count: count), yy = xx, xy = xx
        for i in 0..<count {
            xx[i] = x[i] * x[i]; yy[i] = y[i] * y[i]; xy[i] = x[i] * y[i]
        }
        let ux = filter.apply(x), uy = filter.apply(y)
        let uxx = filter.apply(xx), uyy = filter.apply(yy), uxy = filter.apply(xy)
        let n = Double(size * size)
        let covarianceNorm = sampleCovariance ? n / (n - 1) : 1
        let c1 = (k1 * dataRange) * (k1 * dataRange), c2 = (k2 * dataRange) * (k2 * dataRange)
        let pad = (size - 1) / 2
        var sum = 0.0
        for row in pad..<(height - pad) {
            for column in pad..<(width - pad) {
                let i = row * width + column
                let mx = ux[i], my = uy[i]
                let vx = covarianceNorm * (uxx[i] - mx * mx)
                let vy = covarianceNorm * (uyy[i] - my * my)
                let vxy = covarianceNorm * (uxy[i] - mx * my)
                let a1 = 2 * mx * my + c1, a2 = 2 * vxy + c2
                let b1 = mx * mx + my * my + c1, b2 = vx + vy + c2
                sum += (a1 * a2) / (b1 * b2)
            }
        }
        return sum / Double((height - 2 * pad) * (width - 2 * pad))
    }
}

/// A separable 2-D filter with scipy.ndimage's 'reflect' border (d c b a | a b c d | d c b a):
/// `uniform_filter1d` / `correlate1d` along axis 0 (rows of the image move), then axis 1.
struct SeparableFilter {
    /// Symmetric weights, centre at index `radius`.
    let weights: [Double]
    let radius: Int
    let uniform: Bool
    let width: Int, height: Int

    init(window: SSIM.Window, width: Int, height: Int) {
        self.width = width
        self.height = height
        switch window {
        case .uniform(let size):
            precondition(size % 2 == 1, "uniform windows must be odd")
            radius = size / 2
            weights = [Double](repeating: 1 / Double(size), count: size)
            uniform = true
        case .gaussian(let sigma, let truncate):
            // scipy `_gaussian_kernel1d`: exp(-0.5 x^2 / sigma^2) for |x| <= radius, normalised.
            let r = Int(truncate * sigma + 0.5)
            radius = r
            let raw = (-r...r).map { exp(-0.5 / (sigma * sigma) * Double($0 * $0)) }
            let total = raw.reduce(0, +)
            weights = raw.map { $0 / total }
            uniform = false
        }
    }

    /// scipy's 'reflect' index for position i of an axis of length n.
    @inline(__always) static func reflect(_ i: Int, _ n: Int) -> Int {
        let period = 2 * n
        var m = i % period
        if m < 0 { m += period }
        return m < n ? m : period - 1 - m
    }

    /// The filtered plane. Axis 0 runs over whole rows at a time (contiguous, vectorisable): a
    /// running sum of rows for the uniform window, a weighted sum of rows for the Gaussian one.
    func apply(_ input: [Double]) -> [Double] {
        let size = 2 * radius + 1
        let rowIndex = (0..<(height + 2 * radius)).map { Self.reflect($0 - radius, height) }
        let columnIndex = (0..<(width + 2 * radius)).map { Self.reflect($0 - radius, width) }
        var columnsDone = [Double](repeating: 0, count: width * height)
        input.withUnsafeBufferPointer { x in
            columnsDone.withUnsafeMutableBufferPointer { out in
                if uniform {
                    var sum = [Double](repeating: 0, count: width)
                    let scale = 1 / Double(size)
                    sum.withUnsafeMutableBufferPointer { acc in
                        for k in 0..<size {
                            let src = x.baseAddress! + rowIndex[k] * width
                            for j in 0..<width { acc[j] += src[j] }
                        }
                        for i in 0..<height {
                            if i > 0 {
                                let add = x.baseAddress! + rowIndex[i + size - 1] * width
                                let remove = x.baseAddress! + rowIndex[i - 1] * width
                                for j in 0..<width { acc[j] += add[j] - remove[j] }
                            }
                            let dst = out.baseAddress! + i * width
                            for j in 0..<width { dst[j] = acc[j] * scale }
                        }
                    }
                } else {
                    weights.withUnsafeBufferPointer { w in
                        for i in 0..<height {
                            let dst = out.baseAddress! + i * width
                            let centre = x.baseAddress! + rowIndex[i + radius] * width
                            for j in 0..<width { dst[j] = centre[j] * w[radius] }
                            for k in 1...radius {
                                let up = x.baseAddress! + rowIndex[i + radius - k] * width
                                let down = x.baseAddress! + rowIndex[i + radius + k] * width
                                let wk = w[radius + k]
                                for j in 0..<width { dst[j] += (up[j] + down[j]) * wk }
                            }
                        }
                    }
                }
            }
        }
        var result = [Double](repeating: 0, count: width * height)
        let scale = 1 / Double(size)
        columnsDone.withUnsafeBufferPointer { cd in
            result.withUnsafeMutableBufferPointer { out in
                columnIndex.withUnsafeBufferPointer { ci in
                    weights.withUnsafeBufferPointer { w in
                        for row in 0..<height {
                            let src = cd.baseAddress! + row * width, dst = out.baseAddress! + row * width
                            if uniform {
                                var sum = 0.0
                                for k in 0..<size { sum += src[ci[k]] }
                                dst[0] = sum * scale
                                for j in 1..<max(1, width) {
                                    sum += src[ci[j + size - 1]] - src[ci[j - 1]]
                                    dst[j] = sum * scale
                                }
                            } else {
                                for j in 0..<width {
                                    var acc = src[ci[j + radius]] * w[radius]
                                    for k in 1...radius { acc += (src[ci[j + radius - k]] + src[ci[j + radius + k]]) * w[radius + k] }
                                    dst[j] = acc
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
