// Follows PyTorch `torch.nn.functional.conv2d` (and, with `upsampled`, `F.interpolate(x,
// scale_factor=2, mode="nearest")` before it) as ldm `ldm/modules/diffusionmodules/model.py` calls
// them: an inference-only way to run Tensor's `conv2d` on large feature maps.
import NN
import Tensor

/// Runs `conv` (its stride and symmetric zero padding) over x, or over x upsampled 2x by nearest
/// neighbour when `upsampled` is true, in horizontal bands of output rows. Inference only.
///
/// Why bands: Tensor's `conv2d` parallelises over images and builds one im2col matrix per image,
/// so at batch 1 a 3x3 conv at 256x256 with 256 input channels would run on one core and fill a
/// 600 MB column matrix. Here each band's input rows (with their halo and the zero padding, and
/// the 2x upsampling done while copying, so the upsampled map is never materialised) are copied
/// into a small batch of bands, `conv2d` runs on that batch (one band per thread, each im2col at
/// most `columnBudget` floats), and the band outputs are copied into place. The arithmetic per
/// output element is the same single sgemm dot product as an unbanded `conv2d`.
func bandedConv2d(_ x: Tensor, _ conv: Conv2d, upsampled: Bool = false) -> Tensor {
    precondition(x.rank == 4 && x.shape[1] == conv.inChannels, "conv expects [N, \(conv.inChannels), H, W], got \(x.shape)")
    let scale = upsampled ? 2 : 1
    let n = x.shape[0], c = x.shape[1], sourceH = x.shape[2], sourceW = x.shape[3]
    let h = sourceH * scale, w = sourceW * scale
    let k = conv.kernel, s = conv.stride, p = conv.padding, o = conv.outChannels
    let outH = (h + 2 * p - k) / s + 1, outW = (w + 2 * p - k) / s + 1
    precondition(outH > 0 && outW > 0, "conv kernel \(k) does not fit a \(h)x\(w) map with padding \(p)")
    let threads = ComputeThreads.threadCount
    var bandRows = max(1, min(outH, columnBudget / max(1, c * k * k * outW)))
    if n < threads { bandRows = min(bandRows, (outH + threads - 1) / threads) }
    let bandsPerImage = (outH + bandRows - 1) / bandRows, totalBands = n * bandsPerImage
    let inRows = (bandRows - 1) * s + k, inCols = w + 2 * p
    let weight = conv.weight.value, bias = conv.bias?.value
    var y = Tensor(uninitializedShape: [n, o, outH, outW])
    var first = 0
    while first < totalBands {
        let count = min(threads, totalBands - first)
        var bands = Tensor(uninitializedShape: [count, c, inRows, inCols])
        fillBands(x, into: &bands, first: first, count: count, bandsPerImage: bandsPerImage, bandRows: bandRows,
                  stride: s, padding: p, scale: scale)
        let out = conv2d(bands, weight: weight, bias: bias, stride: s, padding: 0)
        placeBands(out, into: &y, first: first, count: count, bandsPerImage: bandsPerImage, bandRows: bandRows)
        BufferPool.shared.recycle(bands.data)
        BufferPool.shared.recycle(out.data)
        first += count
    }
    return y
}

/// The most floats one band's im2col matrix may hold (16 MB): large enough for efficient sgemm
/// shapes, small enough to stay out of the way of the model's weights.
private let columnBudget = 1 << 22

/// Copies the input rows of bands first..<first+count (with zero padding, and nearest-neighbour
/// upsampling by `scale`) into `bands` [count, C, inRows, inCols].
private func fillBands(_ x: Tensor, into bands: inout Tensor, first: Int, count: Int, bandsPerImage: Int, bandRows: Int,
                       stride: Int, padding: Int, scale: Int) {
    let c = x.shape[1], sourceH = x.shape[2], sourceW = x.shape[3]
    let h = sourceH * scale, w = sourceW * scale
    let inRows = bands.shape[2], inCols = bands.shape[3]
    x.data.withUnsafeBufferPointer { xb in
        bands.data.withUnsafeMutableBufferPointer { bb in
            let xp = SendablePointer(UnsafeMutablePointer(mutating: xb.baseAddress!)), bp = SendablePointer(bb.baseAddress!)
            ComputeThreads.forEachChunk(count * c, minimumPerThread: 4) { _, planes in
                for plane in planes {
                    let band = first + plane / c, channel = plane % c
                    let image = band / bandsPerImage, top = (band % bandsPerImage) * bandRows * stride - padding
                    let source = xp.pointer + (image * c + channel) * sourceH * sourceW
                    let target = bp.pointer + plane * inRows * inCols
                    for r in 0..<inRows {
                        let row = target + r * inCols, sourceRow = top + r
                        guard sourceRow >= 0 && sourceRow < h else {
                            row.update(repeating: 0, count: inCols)
                            continue
                        }
                        row.update(repeating: 0, count: padding)
                        (row + padding + w).update(repeating: 0, count: padding)
                        let src = source + (sourceRow / scale) * sourceW
                        if scale == 1 {
                            (row + padding).update(from: src, count: w)
                        } else {
                            let dst = row + padding
                            for j in 0..<sourceW { let v = src[j]; dst[2 * j] = v; dst[2 * j + 1] = v }
                        }
                    }
                }
            }
        }
    }
}

/// Copies the valid output rows of each band [count, O, bandRows, outW] into y [N, O, outH, outW].
private func placeBands(_ out: Tensor, into y: inout Tensor, first: Int, count: Int, bandsPerImage: Int, bandRows: Int) {
    let o = y.shape[1], outH = y.shape[2], outW = y.shape[3]
    out.data.withUnsafeBufferPointer { ob in
        y.data.withUnsafeMutableBufferPointer { yb in
            let op = SendablePointer(UnsafeMutablePointer(mutating: ob.baseAddress!)), yp = SendablePointer(yb.baseAddress!)
            ComputeThreads.forEachChunk(count * o, minimumPerThread: 4) { _, planes in
                for plane in planes {
                    let band = first + plane / o, channel = plane % o
                    let image = band / bandsPerImage, row0 = (band % bandsPerImage) * bandRows
                    let rows = min(bandRows, outH - row0)
                    (yp.pointer + ((image * o + channel) * outH + row0) * outW)
                        .update(from: op.pointer + plane * bandRows * outW, count: rows * outW)
                }
            }
        }
    }
}

/// A buffer address handed to `ComputeThreads` chunks; each chunk touches a disjoint range.
private struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}
