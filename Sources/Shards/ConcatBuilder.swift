import Imaging

/// Builds CustomNet's concat image (the reference pasted at the target box on a white 256x256
/// canvas, CustomNet, arXiv:2310.19784 and github.com/TencentARC/CustomNet data/dataset.py) from the 256x256 reference and the layout of
/// `ConcatLayout`. The resize is the one the released loader uses,
/// `torch.nn.functional.interpolate(mode="bilinear")` with its defaults (align_corners=False, no
/// antialias): source coordinate `(i + 0.5) * in/out - 0.5` clamped at 0, the two nearest
/// source pixels per axis (the upper one clamped to the edge), float32 weights; results are
/// rounded to the nearest level (ties to even).
public enum ConcatBuilder {
    /// The concat image for an opaque 256x256 `reference` (already flattened over white) and a box
    /// in target pixels. Where CustomNet's loader falls back (degenerate box), the result is the
    /// reference itself.
    public static func build(flatReference reference: RGBAImage, bbox: PixelBox, imageWidth: Int, imageHeight: Int) throws -> RGBAImage {
        guard reference.width == ConcatLayout.canvas, reference.height == ConcatLayout.canvas else {
            throw ShardError(.badConcatInput, "the reference must be 256x256 (CustomNet's canvas), got \(reference.width)x\(reference.height)")
        }
        guard let layout = try ConcatLayout.compute(bbox: bbox, imageWidth: imageWidth, imageHeight: imageHeight) else {
            return reference
        }
        return paste(reference: reference, layout: layout)
    }

    /// Resizes the layout's source window of `reference` into its destination rectangle on white.
    public static func paste(reference: RGBAImage, layout: ConcatLayout) -> RGBAImage {
        var canvas = RGBAImage(width: ConcatLayout.canvas, height: ConcatLayout.canvas, fill: .white)
        let outW = layout.x1 - layout.x0, outH = layout.y1 - layout.y0
        let inW = layout.sx1 - layout.sx0, inH = layout.sy1 - layout.sy0
        let xs = taps(input: inW, output: outW), ys = taps(input: inH, output: outH)
        let stride = reference.width * 4
        reference.pixels.withUnsafeBufferPointer { src in
            canvas.pixels.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<outH {
                    let (ya, yb, wy) = ys[oy]
                    let rowA = (layout.sy0 + ya) * stride, rowB = (layout.sy0 + yb) * stride
                    let out = ((layout.y0 + oy) * ConcatLayout.canvas + layout.x0) * 4
                    for ox in 0..<outW {
                        let (xa, xb, wx) = xs[ox]
                        let ca = (layout.sx0 + xa) * 4, cb = (layout.sx0 + xb) * 4
                        for c in 0..<3 {
                            let top = (1 - wx) * Float(src[rowA + ca + c]) + wx * Float(src[rowA + cb + c])
                            let bottom = (1 - wx) * Float(src[rowB + ca + c]) + wx * Float(src[rowB + cb + c])
                            let value = (1 - wy) * top + wy * bottom
                            dst[out + ox * 4 + c] = UInt8(max(0, min(255, value.rounded(.toNearestOrEven))))
                        }
                    }
                }
            }
        }
        return canvas
    }

    /// Per output index: (lower source index, upper source index, weight of the upper one).
    static func taps(input: Int, output: Int) -> [(Int, Int, Float)] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { index in
            let source = max(0, scale * (Float(index) + 0.5) - 0.5)
            let lower = min(Int(source), input - 1)
            let upper = lower < input - 1 ? lower + 1 : lower
            return (lower, upper, source - Float(lower))
        }
    }
}
