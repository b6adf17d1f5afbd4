/// Resampling filters (Pillow's Image.resize semantics, src/libImaging/Resample.c).
public enum ResampleFilter: Sendable, Equatable {
    /// Nearest neighbour: source pixel floor((i + 0.5) * in / out), exact. For masks (keeps labels crisp);
    /// Open Images masks are brought to the image's shape this way (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html).
    case nearest
    /// Area averaging: each output pixel is the coverage-weighted mean of the source pixels under
    /// it (OpenCV INTER_AREA; Pillow BOX at integer factors). For shrinking; when enlarging an
    /// axis it acts as `.bilinear`.
    case area
    /// Bilinear (triangle kernel, support widened by the scale when shrinking, as Pillow).
    case bilinear
    /// Bicubic (Keys kernel a = -0.5, as Pillow), for enlarging.
    case bicubic
    /// `.area` when shrinking along an axis, `.bicubic` when enlarging.
    case automatic
}

// MARK: - Separable resampling kernels
/// Separable resampling in Float over interleaved channels; RGBA goes through premultiplied
/// alpha (as Pillow converts RGBA to RGBa) so transparent pixels do not bleed colour.
enum Resampler {
    struct Weights {
        var start: [Int]
        var count: [Int]
        var weights: [Float]   // `maxCount` per output index
        var maxCount: Int
    }

    static func kernel(_ filter: ResampleFilter) -> (support: Double, f: (Double) -> Double) {
        switch filter {
        case .bilinear:
            return (1, { x in let a = abs(x); return a < 1 ? 1 - a : 0 })
        case .bicubic:
            return (2, { x in
                let a = -0.5, t = abs(x)
                if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
                if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
                return 0
            })
        default:
            return (0.5, { x in (x >= -0.5 && x < 0.5) ? 1 : 0 })
        }
    }

    /// Nearest source index of output index `i`: floor((i + 0.5) * inSize / outSize) in exact
    /// integer arithmetic (Pillow computes the same in 16.16 fixed point, which can round the other
    /// way when the product is an exact integer).
    @inline(__always)
    static func nearestIndex(_ i: Int, inSize: Int, outSize: Int) -> Int {
        min(inSize - 1, ((2 * i + 1) * inSize) / (2 * outSize))
    }

    /// Weights for resizing `inSize` -> `outSize` along one axis.
    static func weights(inSize: Int, outSize: Int, filter: ResampleFilter) -> Weights {
        let scale = Double(inSize) / Double(outSize)
        var start = [Int](repeating: 0, count: outSize), count = [Int](repeating: 0, count: outSize)
        var rows: [[Float]] = []
        rows.reserveCapacity(outSize)
        var effective = filter
        if effective == .automatic { effective = outSize < inSize ? .area : .bicubic }
        for i in 0..<outSize {
            var w: [Double] = []
            var first = 0
            switch effective {
            case .nearest:
                first = nearestIndex(i, inSize: inSize, outSize: outSize)
                w = [1]
            case .area where outSize <= inSize:
                // exact coverage of [i*scale, (i+1)*scale)
                let lo = Double(i) * scale, hi = Double(i + 1) * scale
                first = Int(lo.rounded(.down))
                let last = min(inSize - 1, Int((hi - 1e-9).rounded(.down)))
                for x in first...max(first, last) {
                    w.append(max(0, min(hi, Double(x + 1)) - max(lo, Double(x))))
                }
            default:
                // Pillow's precompute_coeffs: support scaled by max(scale, 1), centre at (i + 0.5) * scale.
                let k = kernel(effective == .area ? .bilinear : effective)
                let filterScale = max(scale, 1)
                let support = k.support * filterScale
                let center = (Double(i) + 0.5) * scale
                let ss = 1 / filterScale
                first = max(0, Int((center - support + 0.5).rounded(.down)))
                let end = min(inSize, Int((center + support + 0.5).rounded(.down)))
                for x in first..<max(first + 1, end) {
                    w.append(k.f((Double(x) - center + 0.5) * ss))
                }
            }
            let total = w.reduce(0, +)
            start[i] = first
            count[i] = w.count
            rows.append(w.map { Float(total != 0 ? $0 / total : 0) })
        }
        let maxCount = rows.map(\.count).max() ?? 1
        var flat = [Float](repeating: 0, count: outSize * maxCount)
        for (i, r) in rows.enumerated() { for (j, v) in r.enumerated() { flat[i * maxCount + j] = v } }
        return Weights(start: start, count: count, weights: flat, maxCount: maxCount)
    }

    /// Resizes straight-alpha RGBA8 through premultiplied SIMD4<Float> rows: horizontal pass from
    /// the bytes (premultiplying on the fly, clipped to the 8-bit range as Pillow's intermediate
    /// image), vertical pass, then un-premultiply and round.
    static func resizeRGBA(_ src: [UInt8], width: Int, height: Int, toWidth: Int, toHeight: Int,
                           filter: ResampleFilter) -> [UInt8] {
        let wx = weights(inSize: width, outSize: toWidth, filter: filter)
        let wy = weights(inSize: height, outSize: toHeight, filter: filter)
        var mid = [SIMD4<Float>](repeating: .zero, count: height * toWidth)
        // Pillow keeps the horizontal pass in 8-bit premultiplied pixels, so overshoot (bicubic on
        // sharp edges) is clipped before the vertical pass: clip to the same range here.
        let byteRange = SIMD4<Float>(255 * 255, 255 * 255, 255 * 255, 255)
        src.withUnsafeBufferPointer { s in
            mid.withUnsafeMutableBufferPointer { m in
                wx.weights.withUnsafeBufferPointer { w in
                    wx.start.withUnsafeBufferPointer { starts in
                        wx.count.withUnsafeBufferPointer { counts in
                            for y in 0..<height {
                                let srow = y * width * 4, mrow = y * toWidth
                                for x in 0..<toWidth {
                                    let st = starts[x], n = counts[x], wb = x * wx.maxCount
                                    var acc = SIMD4<Float>.zero
                                    for k in 0..<n {
                                        let i = srow + (st + k) * 4
                                        let a = Float(s[i + 3])
                                        let p = SIMD4<Float>(Float(s[i]) * a, Float(s[i + 1]) * a, Float(s[i + 2]) * a, a)
                                        acc += p * w[wb + k]
                                    }
                                    m[mrow + x] = acc.clamped(lowerBound: .zero, upperBound: byteRange)
                                }
                            }
                        }
                    }
                }
            }
        }
        var row = [SIMD4<Float>](repeating: .zero, count: toWidth)
        var out = [UInt8](repeating: 0, count: toWidth * toHeight * 4)
        mid.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                row.withUnsafeMutableBufferPointer { r in
                    wy.weights.withUnsafeBufferPointer { w in
                        for y in 0..<toHeight {
                            let st = wy.start[y], n = wy.count[y], wb = y * wy.maxCount
                            for x in 0..<toWidth { r[x] = .zero }
                            for k in 0..<n {
                                let weight = w[wb + k]
                                let mrow = (st + k) * toWidth
                                for x in 0..<toWidth { r[x] += m[mrow + x] * weight }
                            }
                            let orow = y * toWidth * 4
                            for x in 0..<toWidth {
                                let v = r[x]
                                let alpha = clampByte(v[3])
                                let i = orow + x * 4
                                if alpha == 0 {
                                    o[i] = 0; o[i + 1] = 0; o[i + 2] = 0; o[i + 3] = 0
                                } else {
                                    let inv = 1 / v[3]
                                    o[i] = clampByte(v[0] * inv); o[i + 1] = clampByte(v[1] * inv)
                                    o[i + 2] = clampByte(v[2] * inv); o[i + 3] = alpha
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Resizes interleaved float data (`channels` per pixel).
    static func resize(_ src: [Float], width: Int, height: Int, channels: Int, toWidth: Int, toHeight: Int,
                       filter: ResampleFilter) -> [Float] {
        let wx = weights(inSize: width, outSize: toWidth, filter: filter)
        let wy = weights(inSize: height, outSize: toHeight, filter: filter)
        // horizontal pass: height x toWidth
        var mid = [Float](repeating: 0, count: height * toWidth * channels)
        src.withUnsafeBufferPointer { s in
            mid.withUnsafeMutableBufferPointer { m in
                wx.weights.withUnsafeBufferPointer { w in
                  wx.start.withUnsafeBufferPointer { starts in
                    for y in 0..<height {
                        let srow = y * width * channels, mrow = y * toWidth * channels
                        for x in 0..<toWidth {
                            let st = starts[x], n = wx.count[x], wb = x * wx.maxCount
                            for c in 0..<channels {
                                var acc: Float = 0
                                for k in 0..<n { acc += s[srow + (st + k) * channels + c] * w[wb + k] }
                                m[mrow + x * channels + c] = acc
                            }
                        }
                    }
                  }
                }
            }
        }
        var out = [Float](repeating: 0, count: toHeight * toWidth * channels)
        let rowLength = toWidth * channels
        mid.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                wy.weights.withUnsafeBufferPointer { w in
                    for y in 0..<toHeight {
                        let st = wy.start[y], n = wy.count[y], wb = y * wy.maxCount
                        let orow = y * rowLength
                        for k in 0..<n {
                            let weight = w[wb + k]
                            let mrow = (st + k) * rowLength
                            for i in 0..<rowLength { o[orow + i] += m[mrow + i] * weight }
                        }
                    }
                }
            }
        }
        return out
    }
}

// MARK: - Image types
extension RGBAImage {
    /// This image resized to `width` x `height` with `filter` (default: area when shrinking,
    /// bicubic when enlarging), in premultiplied alpha, rounded to nearest.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResampleFilter = .automatic) -> RGBAImage {
        precondition(newWidth > 0 && newHeight > 0, "resized: target size must be positive")
        if newWidth == width && newHeight == height { return self }
        if filter == .nearest { return nearest(newWidth, newHeight) }
        let out = Resampler.resizeRGBA(pixels, width: width, height: height, toWidth: newWidth, toHeight: newHeight, filter: filter)
        return RGBAImage(width: newWidth, height: newHeight, pixels: out)
    }

    private func nearest(_ newWidth: Int, _ newHeight: Int) -> RGBAImage {
        let xs = (0..<newWidth).map { Resampler.nearestIndex($0, inSize: width, outSize: newWidth) }
        var out = RGBAImage(width: newWidth, height: newHeight)
        for y in 0..<newHeight {
            let sy = Resampler.nearestIndex(y, inSize: height, outSize: newHeight)
            for x in 0..<newWidth {
                let s = (sy * width + xs[x]) * 4, d = (y * newWidth + x) * 4
                out.pixels[d] = pixels[s]; out.pixels[d + 1] = pixels[s + 1]
                out.pixels[d + 2] = pixels[s + 2]; out.pixels[d + 3] = pixels[s + 3]
            }
        }
        return out
    }
}

extension GrayImage {
    /// This image resized; masks should use `.nearest` (the default here), pictures `.automatic`.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResampleFilter = .nearest) -> GrayImage {
        precondition(newWidth > 0 && newHeight > 0, "resized: target size must be positive")
        if newWidth == width && newHeight == height { return self }
        if filter == .nearest {
            let xs = (0..<newWidth).map { Resampler.nearestIndex($0, inSize: width, outSize: newWidth) }
            var out = [UInt8](repeating: 0, count: newWidth * newHeight)
            for y in 0..<newHeight {
                let sy = Resampler.nearestIndex(y, inSize: height, outSize: newHeight)
                for x in 0..<newWidth { out[y * newWidth + x] = pixels[sy * width + xs[x]] }
            }
            return GrayImage(width: newWidth, height: newHeight, pixels: out)
        }
        let out = Resampler.resize(pixels.map(Float.init), width: width, height: height, channels: 1,
                                   toWidth: newWidth, toHeight: newHeight, filter: filter)
        return GrayImage(width: newWidth, height: newHeight, pixels: out.map(clampByte))
    }
}

extension FloatImage {
    /// This image resized channel by channel (no premultiplication: do it yourself for alpha).
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResampleFilter = .automatic) -> FloatImage {
        precondition(newWidth > 0 && newHeight > 0, "resized: target size must be positive")
        let out = Resampler.resize(data, width: width, height: height, channels: channels, toWidth: newWidth,
                                   toHeight: newHeight, filter: filter)
        return FloatImage(width: newWidth, height: newHeight, channels: channels, data: out)
    }
}

// MARK: - Helpers
/// Round to nearest and clamp to 0...255 (NaN -> 0).
@inline(__always)
func clampByte(_ v: Float) -> UInt8 {
    let r = v + 0.5
    if !(r > 0) { return 0 }
    if r >= 255 { return 255 }
    return UInt8(r)
}
