import Support
import Tensor

/// A trainable tensor and its accumulated gradient (PyTorch `nn.Parameter`). The gradient is
/// allocated on first use, so a model loaded for inference holds no gradient memory. Not
/// Sendable: a model belongs to one thread of control; ops parallelise inside.
public final class Parameter {
    /// The current weights.
    public var value: Tensor
    private var storedGradient: Tensor?

    /// Wraps an initial value; no gradient is allocated until one is accumulated.
    public init(_ value: Tensor) {
        self.value = value
    }

    /// The gradient accumulated since the last `zeroGradient()`; same shape as `value`. Reading
    /// it before any backward pass gives zeros; mutating it allocates it.
    public var grad: Tensor {
        get { storedGradient ?? value.zerosLike() }
        set { storedGradient = newValue }
        _modify {
            if storedGradient == nil { storedGradient = value.zerosLike() }
            yield &storedGradient!
        }
    }

    /// Whether a gradient buffer exists (false for a model only ever run in inference mode).
    public var hasGradient: Bool { storedGradient != nil }

    /// Clears the gradient to zero without reallocating (nothing to do when none exists).
    public func zeroGradient() {
        guard storedGradient != nil else { return }
        storedGradient!.data.withUnsafeMutableBufferPointer { g in
            for i in 0..<g.count { g[i] = 0 }
        }
    }

    /// Frees the gradient buffer.
    public func releaseGradient() { storedGradient = nil }
}

/// PyTorch's default initialisation for Linear / Conv2d weights and biases
/// (kaiming_uniform with a = sqrt(5) reduces to uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))); zeros,
/// with no draw, inside `Initialization.placeholders`.
public func torchDefaultInit(shape: [Int], fanIn: Int, random: inout SeededRandom) -> Tensor {
    if Initialization.skipsRandomDraws { return Tensor(shape: shape) }
    let bound = 1 / Float(fanIn).squareRoot()
    return Tensor.randomUniform(shape: shape, lower: -bound, upper: bound, random: &random)
}
