import Support
import Tensor

/// PyTorch `nn.LayerNorm(dim)` (elementwise affine) over the last dimension, as in ldm's
/// `BasicTransformerBlock` norm1/norm2/norm3 and CLIP's ln_*; the arithmetic is Tensor's `layerNorm`.
public final class LayerNorm: UnaryLayer {
    /// Scale [D] (initialised to 1).
    public let weight: Parameter
    /// Shift [D] (initialised to 0).
    public let bias: Parameter
    /// Normalised width and the variance epsilon.
    public let dim: Int, eps: Float
    private var cache: (x: Tensor, statistics: NormStatistics)?

    /// A layer norm over `dim` features (PyTorch's default eps 1e-5).
    public init(_ dim: Int, eps: Float = 1e-5) {
        self.dim = dim
        self.eps = eps
        weight = Parameter(Tensor(shape: [dim], repeating: 1))
        bias = Parameter(Tensor(shape: [dim]))
    }

    public var localParameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }

    /// y = (x - mean) / sqrt(var + eps) * gamma + beta per row of the last dimension.
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == dim, "LayerNorm expects last dimension \(dim), got \(x.shape)")
        let (y, statistics) = layerNorm(x, weight: weight.value, bias: bias.value, eps: eps)
        if InferenceMode.keepsActivations { cache = (x, statistics) }
        return y
    }

    /// Accumulates dgamma, dbeta; returns dx.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let c = cache else { preconditionFailure("LayerNorm.backward called before forward") }
        cache = nil
        return layerNormBackward(c.x, weight: weight.value, statistics: c.statistics, dy,
                                 weightGradient: &weight.grad, biasGradient: &bias.grad)
    }
}
