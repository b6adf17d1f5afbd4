import Support
import Tensor

/// PyTorch `nn.GroupNorm` over NCHW with a per-channel affine; the arithmetic is Tensor's
/// `groupNorm`. eps is required: ldm's ResBlocks and UNet `out.0` use 1e-5
/// (`openaimodel.normalization`, GroupNorm32), SpatialTransformer and the VAE 1e-6 (`Normalize`).
public final class GroupNorm: UnaryLayer {
    /// Per-channel scale [C] (initialised to 1).
    public let weight: Parameter
    /// Per-channel shift [C] (initialised to 0).
    public let bias: Parameter
    /// Group count, channel count and the variance epsilon.
    public let groups: Int, channels: Int, eps: Float
    private var cache: (x: Tensor, statistics: NormStatistics)?

    /// A group norm with unit scale and zero shift.
    public init(groups: Int = 32, channels: Int, eps: Float) {
        precondition(channels % groups == 0, "GroupNorm: \(channels) channels not divisible by \(groups) groups")
        self.groups = groups
        self.channels = channels
        self.eps = eps
        weight = Parameter(Tensor(shape: [channels], repeating: 1))
        bias = Parameter(Tensor(shape: [channels]))
    }

    public var localParameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }

    /// y = (x - mean_g) / sqrt(var_g + eps) * gamma_c + beta_c.
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank >= 2 && x.shape[1] == channels, "GroupNorm expects [N, \(channels), ...], got \(x.shape)")
        let (y, statistics) = groupNorm(x, groups: groups, weight: weight.value, bias: bias.value, eps: eps)
        if InferenceMode.keepsActivations { cache = (x, statistics) }
        return y
    }

    /// Accumulates dgamma, dbeta and returns dx.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let c = cache else { preconditionFailure("GroupNorm.backward called before forward") }
        cache = nil
        return groupNormBackward(c.x, groups: groups, weight: weight.value, statistics: c.statistics, dy,
                                 weightGradient: &weight.grad, biasGradient: &bias.grad)
    }
}
