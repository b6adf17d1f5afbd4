/// A trainable tensor and its accumulated gradient (not Sendable: a model belongs to one thread
/// of control; ops parallelise inside). Layers own their parameters; `backward`
/// ADDS into `grad` (PyTorch semantics), and `AdamW.zeroGradients` clears it.
public final class Parameter {
    /// The current weights.
    public var value: Tensor
    /// The gradient accumulated since the last `zeroGradient()`; same shape as `value`.
    public var grad: Tensor

    /// Wraps an initial value with a zero gradient.
    public init(_ value: Tensor) {
        self.value = value
        self.grad = value.zerosLike()
    }

    /// Clears the gradient to zero without reallocating.
    public func zeroGradient() {
        grad.data.withUnsafeMutableBufferPointer { g in
            for i in 0..<g.count { g[i] = 0 }
        }
    }
}

/// Anything holding parameters under checkpoint names. Names follow the reference module tree
/// (ldm's `openaimodel.ResBlock`: `in_layers.0.weight`, `attention.BasicTransformerBlock`:
/// `attn1.to_q.weight`, ...) so a `StateDict` maps 1:1 to an ldm checkpoint.
public protocol Layer: AnyObject {
    /// Every parameter with its dotted name relative to this layer.
    func namedParameters() -> [(String, Parameter)]
}

extension Layer {
    /// Every parameter, names prefixed with `prefix` + "." when a prefix is given.
    public func namedParameters(prefix: String) -> [(String, Parameter)] {
        namedParameters().map { (prefix.isEmpty ? $0.0 : prefix + "." + $0.0, $0.1) }
    }

    /// The parameters alone, in a stable order.
    public var parameters: [Parameter] { namedParameters().map(\.1) }

    /// Clears every parameter's gradient.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }
}

/// PyTorch's default initialisation for Linear / Conv2d weights and biases
/// (kaiming_uniform with a = sqrt(5) reduces to uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))).
func torchDefaultInit(shape: [Int], fanIn: Int, random: inout SeededRandom) -> Tensor {
    let bound = 1 / Float(fanIn).squareRoot()
    return Tensor.randomUniform(shape: shape, lower: -bound, upper: bound, random: &random)
}
import Support
