import Support
import Tensor

/// Where a sampler's standard-normal draws come from: the item's seeded stream, or tensors
/// recorded elsewhere (e.g. `.npy` files written by a PyTorch reference), so that a run can be
/// replayed draw for draw. Follows the role of apple/ml-stable-diffusion's `RandomSource`.
public protocol NoiseSource {
    /// The next standard-normal tensor of `shape`.
    mutating func normal(shape: [Int]) throws(SamplingError) -> Tensor
}

/// Standard-normal draws from a `SeededRandom` stream: one `normal()` per element in C order
/// (Box-Muller, Support's `SeededRandom.normal`), the initial noise first, then one tensor per
/// update that uses noise (η > 0), in sampling order.
public struct SeededNoise: NoiseSource {
    /// The stream; advances with every draw.
    public var random: SeededRandom

    /// Draws from `random` (for a work item: `SeededRandom(runSeed:stage:item:)`).
    public init(random: SeededRandom) { self.random = random }

    /// Draws from a fresh stream seeded with `seed`.
    public init(seed: UInt64) { self.random = SeededRandom(seed: seed) }

    /// The next `shape`-sized block of the stream, in C order.
    public mutating func normal(shape: [Int]) throws(SamplingError) -> Tensor {
        Tensor.randomNormal(shape: shape, random: &random)
    }
}

/// Noise replayed from tensors recorded beforehand (for instance loaded with `NPY.decode`),
/// handed out in order; running out or a shape that differs from the one asked for is an error.
public struct RecordedNoise: NoiseSource {
    /// The tensors still to hand out, first one next.
    public private(set) var remaining: ArraySlice<Tensor>

    /// Replays `tensors` in order.
    public init(_ tensors: [Tensor]) { self.remaining = tensors[...] }

    /// The next recorded tensor, which must have `shape`.
    public mutating func normal(shape: [Int]) throws(SamplingError) -> Tensor {
        guard let next = remaining.first else {
            throw SamplingError(.noiseExhausted, "recorded noise ran out: a tensor of shape \(shape) was asked for")
        }
        guard next.shape == shape else {
            throw SamplingError(.shapeMismatch, "recorded noise has shape \(next.shape), shape \(shape) was asked for")
        }
        remaining = remaining.dropFirst()
        return next
    }
}
