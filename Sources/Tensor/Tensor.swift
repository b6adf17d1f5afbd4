import Support

/// A dense, row-major (C-order) float32 tensor: the value type every op in this module takes and
/// returns. Images are NCHW, token sequences are [batch, length, channels] and weights use
/// PyTorch's layouts (Linear [out, in], Conv2d [out, in, kh, kw]) so that ldm / diffusers
/// checkpoints load without transposition.
///
/// Storage is a Swift `Array` (copy-on-write); large per-op temporaries live in a `Workspace`
/// instead, so a training step allocates only its outputs and cached activations.
public struct Tensor: Sendable, Equatable {
    /// The extent of every dimension, outermost first.
    public private(set) var shape: [Int]
    /// The elements in C order; `data.count == shape.reduce(1, *)`.
    public var data: [Float]

    /// Wraps existing values; the shape must account for every value.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not match \(data.count) values")
        self.shape = shape
        self.data = data
    }

    /// A tensor of the given shape filled with `value` (zeros by default).
    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        self.data = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// Normal(0, std^2) values drawn from a seeded stream (deterministic across machines).
    public static func randomNormal(shape: [Int], std: Float = 1, random: inout SeededRandom) -> Tensor {
        var t = Tensor(shape: shape)
        for i in 0..<t.data.count { t.data[i] = Float(random.normal()) * std }
        return t
    }

    /// Uniform values in [lower, upper) drawn from a seeded stream; PyTorch's default Linear /
    /// Conv2d initialisation is uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    public static func randomUniform(shape: [Int], lower: Float, upper: Float, random: inout SeededRandom) -> Tensor {
        var t = Tensor(shape: shape)
        for i in 0..<t.data.count { t.data[i] = random.uniformFloat(lower, upper) }
        return t
    }

    /// The number of elements.
    public var count: Int { data.count }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The same values under another shape with the same element count (like `torch.reshape`
    /// on a contiguous tensor).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// Reshapes in place (no copy).
    public mutating func reshape(_ newShape: [Int]) {
        precondition(newShape.reduce(1, *) == data.count, "cannot reshape \(shape) to \(newShape)")
        shape = newShape
    }

    /// A zero tensor of the same shape (the usual gradient accumulator).
    public func zerosLike() -> Tensor { Tensor(shape: shape) }

    /// Adds `other` element-wise in place (shapes must match); used to accumulate gradients.
    public mutating func addInPlace(_ other: Tensor) {
        precondition(other.shape == shape, "addInPlace shape \(other.shape) vs \(shape)")
        data.withUnsafeMutableBufferPointer { d in
            other.data.withUnsafeBufferPointer { o in
                guard d.count > 0 else { return }
                let dp = UncheckedSendable(d.baseAddress!), op = UncheckedSendable(o.baseAddress!)
                ComputeThreads.forEachChunk(d.count, minimumPerThread: 1 << 15) { _, range in
                    let d = dp.value, o = op.value
                    for i in range { d[i] += o[i] }
                }
            }
        }
    }

    /// Multiplies every element by `s` in place.
    public mutating func scaleInPlace(_ s: Float) {
        data.withUnsafeMutableBufferPointer { d in
            for i in 0..<d.count { d[i] *= s }
        }
    }

    /// The sum of squares (gradient norms, losses): float vector lanes per block, double across
    /// blocks, in a fixed order (`Reduce`).
    public func sumOfSquares() -> Double {
        data.withUnsafeBufferPointer { d in
            guard let base = d.baseAddress else { return 0 }
            return Reduce.centeredSquares(base, d.count, shift: 0)
        }
    }
}
