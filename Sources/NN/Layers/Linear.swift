import Support
import Tensor

/// PyTorch `nn.Linear` (weight [out, in], bias [out]) over the last dimension of an input of
/// any rank; the arithmetic is Tensor's `linear`.
public final class Linear: UnaryLayer {
    /// Weight [outFeatures, inFeatures].
    public let weight: Parameter
    /// Bias [outFeatures], absent for ldm's bias-free to_q / to_k / to_v.
    public let bias: Parameter?
    /// Input width.
    public let inFeatures: Int
    /// Output width.
    public let outFeatures: Int
    private var input: Tensor?

    /// A layer with PyTorch's default initialisation drawn from `random`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, random: inout SeededRandom) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(torchDefaultInit(shape: [outFeatures, inFeatures], fanIn: inFeatures, random: &random))
        self.bias = bias ? Parameter(torchDefaultInit(shape: [outFeatures], fanIn: inFeatures, random: &random)) : nil
    }

    public var localParameters: [(String, Parameter)] {
        var list = [("weight", weight)]
        if let bias { list.append(("bias", bias)) }
        return list
    }

    /// y = x W^T + b over the last dimension.
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == inFeatures, "Linear expects last dimension \(inFeatures), got \(x.shape)")
        if InferenceMode.keepsActivations { input = x }
        return linear(x, weight: weight.value, bias: bias?.value)
    }

    /// Accumulates dW += dy^T x, db += sum(dy) and returns dx = dy W.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Linear.backward called before forward") }
        input = nil
        var biasGradient = bias?.grad
        let dx = linearBackward(x, weight: weight.value, dy, weightGradient: &weight.grad, biasGradient: &biasGradient)
        if let bias, let biasGradient { bias.grad = biasGradient }
        return dx
    }
}
