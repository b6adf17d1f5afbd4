// Follows zero123 `ldm/modules/encoders/modules.py` (`FrozenCLIPImageEmbedder.preprocess`:
// kornia `geometry.resize(x, (224, 224), interpolation='bicubic', align_corners=True,
// antialias=False)`, which is `torch.nn.functional.interpolate`; then (x + 1) / 2 and
// `kornia.enhance.normalize` with CLIP's mean and std) and PyTorch
// `aten/src/ATen/native/UpSample.h` / `cpu/UpSampleKernel.cpp` for the bicubic kernel
// (A = -0.75, source index = scale * dst with scale = (in - 1) / (out - 1), taps clamped to the
// border, positions and weights in float32 as PyTorch computes them for float32 input).
import Tensor

/// zero123's CLIP input preparation, separate from the encoder so that already-normalised
/// [B, 3, 224, 224] pixels can go straight to `CLIPVisionTransformer.encode`.
public enum CLIPImagePreprocessing {
    /// CLIP's per-channel mean (OpenAI's training statistics).
    public static let mean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    /// CLIP's per-channel standard deviation.
    public static let std: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// An image in [-1, 1], [B, 3, H, W], to CLIP input [B, 3, size, size]: bicubic resize
    /// (align_corners, no antialias), (x + 1) / 2, then (x - mean) / std per channel.
    public static func preprocess(_ image: Tensor, size: Int = 224) throws -> Tensor {
        guard image.rank == 4, image.shape[1] == 3, image.shape[2] > 0, image.shape[3] > 0, size > 0 else {
            throw CLIPError(.badInput, "CLIP preprocessing expects an image [B, 3, H, W] in [-1, 1], got \(image.shape)")
        }
        var x = resizeBicubicAlignCorners(image, height: size, width: size)
        let plane = size * size
        x.data.withUnsafeMutableBufferPointer { xb in
            for p in 0..<(image.shape[0] * 3) {
                let c = p % 3, m = mean[c], s = std[c]
                for i in (p * plane)..<((p + 1) * plane) { xb[i] = ((xb[i] + 1) / 2 - m) / s }
            }
        }
        return x
    }

    /// `torch.nn.functional.interpolate(x, (height, width), mode='bicubic', align_corners=True)`
    /// on NCHW float32: cubic convolution with A = -0.75 over 4 x 4 taps clamped to the border,
    /// no antialiasing (so downscaling samples rather than averages), computed rows-then-columns.
    public static func resizeBicubicAlignCorners(_ x: Tensor, height: Int, width: Int) -> Tensor {
        precondition(x.rank == 4 && height > 0 && width > 0, "bicubic resize expects NCHW input and a positive size, got \(x.shape)")
        let planes = x.shape[0] * x.shape[1], inH = x.shape[2], inW = x.shape[3]
        let columns = CubicTaps(input: inW, output: width), rows = CubicTaps(input: inH, output: height)
        var out = Tensor(shape: [x.shape[0], x.shape[1], height, width])
        var horizontal = [Float](repeating: 0, count: inH * width)
        x.data.withUnsafeBufferPointer { xb in
            out.data.withUnsafeMutableBufferPointer { ob in
                for p in 0..<planes {
                    let src = xb.baseAddress! + p * inH * inW
                    for r in 0..<inH {
                        let line = src + r * inW
                        for j in 0..<width {
                            let t = columns.index[j], w = columns.weight[j]
                            horizontal[r * width + j] = line[t.0] * w.0 + line[t.1] * w.1 + line[t.2] * w.2 + line[t.3] * w.3
                        }
                    }
                    let dst = ob.baseAddress! + p * height * width
                    for i in 0..<height {
                        let t = rows.index[i], w = rows.weight[i]
                        for j in 0..<width {
                            dst[i * width + j] = horizontal[t.0 * width + j] * w.0 + horizontal[t.1 * width + j] * w.1
                                + horizontal[t.2 * width + j] * w.2 + horizontal[t.3 * width + j] * w.3
                        }
                    }
                }
            }
        }
        return out
    }
}

/// The four source indices (clamped to [0, input - 1]) and cubic weights of every output position
/// along one axis, for align_corners=True.
private struct CubicTaps {
    /// Source indices of the taps at offsets -1, 0, +1, +2 of floor(source position).
    var index: [(Int, Int, Int, Int)] = []
    /// The matching weights.
    var weight: [(Float, Float, Float, Float)] = []

    /// PyTorch's cubic coefficient.
    static let a: Float = -0.75

    /// Taps for resizing `input` samples to `output` samples with aligned corners.
    init(input: Int, output: Int) {
        let scale: Float = output > 1 ? Float(input - 1) / Float(output - 1) : 0
        for o in 0..<output {
            let position = scale * Float(o)
            let base = Int(position.rounded(.down))
            let t = position - Float(base)
            func clamp(_ i: Int) -> Int { min(max(i, 0), input - 1) }
            index.append((clamp(base - 1), clamp(base), clamp(base + 1), clamp(base + 2)))
            weight.append((Self.far(t + 1), Self.near(t), Self.near(1 - t), Self.far(2 - t)))
        }
    }

    /// The kernel for |d| <= 1: ((A + 2) d - (A + 3)) d^2 + 1.
    static func near(_ d: Float) -> Float { ((a + 2) * d - (a + 3)) * d * d + 1 }

    /// The kernel for 1 < |d| < 2: ((A d - 5A) d + 8A) d - 4A.
    static func far(_ d: Float) -> Float { ((a * d - 5 * a) * d + 8 * a) * d - 4 * a }
}
