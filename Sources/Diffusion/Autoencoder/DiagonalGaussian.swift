// Follows zero123 `ldm/modules/distributions/distributions.py`: DiagonalGaussianDistribution
// (deterministic False; `kl` and `nll`, used only to train the VAE, are not ported).
import Foundation
import Support
import Tensor

/// ldm's `DiagonalGaussianDistribution`: the VAE posterior N(mean, exp(logvar)) per latent
/// element, built from the moments [N, 2C, h, w] that `quant_conv` emits (first C channels the
/// mean, last C the log-variance, clamped to [-30, 20]). Latents are unscaled (no 0.18215).
public struct DiagonalGaussian: Sendable, Equatable {
    /// The posterior mean [N, C, h, w] (`.mode()`; zero123's c_concat latent).
    public let mean: Tensor
    /// The log-variance [N, C, h, w], clamped to [-30, 20] as ldm does.
    public let logvar: Tensor

    /// The log-variance clamp ldm applies (`torch.clamp(self.logvar, -30.0, 20.0)`).
    public static let logvarRange: ClosedRange<Float> = -30...20

    /// Splits moments [N, 2C, h, w] on the channel axis into mean and (clamped) log-variance.
    public init(moments: Tensor) throws {
        guard moments.rank == 4, moments.shape[1] % 2 == 0, moments.shape[1] > 0 else {
            throw AutoencoderError(.badInput, "posterior moments must be [N, 2C, h, w], got \(moments.shape)")
        }
        let c = moments.shape[1] / 2
        let halves = split(moments, sizes: [c, c], axis: 1)
        mean = halves[0]
        var clamped = halves[1]
        clamped.data.withUnsafeMutableBufferPointer { values in
            for i in 0..<values.count {
                values[i] = min(max(values[i], Self.logvarRange.lowerBound), Self.logvarRange.upperBound)
            }
        }
        logvar = clamped
    }

    /// The standard deviation exp(logvar / 2).
    public var standardDeviation: Tensor { map(logvar) { expf(0.5 * $0) } }

    /// The variance exp(logvar).
    public var variance: Tensor { map(logvar) { expf($0) } }

    /// The most likely latent: the mean (ldm `.mode()`).
    public func mode() -> Tensor { mean }

    /// A draw mean + std * eps with eps ~ N(0, 1) from `random` (ldm `.sample()`, which uses
    /// `torch.randn`: the stream differs from PyTorch's, the distribution does not).
    public func sample(random: inout SeededRandom) -> Tensor {
        sample(noise: Tensor.randomNormal(shape: mean.shape, random: &random))
    }

    /// mean + std * noise for a given standard-normal `noise` of the mean's shape (to reproduce a
    /// PyTorch draw exactly, pass its `randn` values).
    public func sample(noise: Tensor) -> Tensor {
        precondition(noise.shape == mean.shape, "noise \(noise.shape) must match the posterior \(mean.shape)")
        var out = noise
        out.data.withUnsafeMutableBufferPointer { o in
            mean.data.withUnsafeBufferPointer { m in
                logvar.data.withUnsafeBufferPointer { l in
                    for i in 0..<o.count { o[i] = m[i] + expf(0.5 * l[i]) * o[i] }
                }
            }
        }
        return out
    }

    private func map(_ t: Tensor, _ f: (Float) -> Float) -> Tensor {
        Tensor(shape: t.shape, data: t.data.map(f))
    }
}
