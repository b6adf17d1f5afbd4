// Follows openai/CLIP `clip/model.py` (`ResidualAttentionBlock`, `QuickGELU`, the
// `nn.MultiheadAttention` it wraps) and transformers `models/clip/modeling_clip.py`
// (`CLIPEncoderLayer`, `CLIPAttention`, `CLIPMLP`): the same pre-LN block under two namings.
// Inference only: CLIP is frozen in zero123 and CustomNet, so no backward pass is written, and
// the projections are `CLIPLinear`s whose weights can start at zero for loading (NN's `Linear`
// draws PyTorch's random initialisation, seconds of work for ViT-L/14's 304M weights).
import Support
import Tensor
import NN

/// Which checkpoint names a CLIP tower's module tree uses.
public enum CLIPNaming: String, Sendable, CaseIterable {
    /// openai/CLIP `clip/model.py` names (`ln_1`, `attn`, `mlp.c_fc`, ...), as zero123 stores
    /// them under `cond_stage_model.model.`; the fused `attn.in_proj_*` is split into q/k/v.
    case openAI = "openai"
    /// transformers `modeling_clip.py` names (`layer_norm1`, `self_attn`, `mlp.fc1`, ...).
    case transformers
}

/// How a CLIP tower's weights start before anything is loaded.
public enum CLIPInitialization: Sendable {
    /// PyTorch's initial distributions drawn from a seeded stream (tests, experiments).
    case random(seed: UInt64)
    /// Zeros, for a tower whose every weight is about to be loaded (no random draws).
    case zeros
}

/// Makes the initial weight tensors of a tower according to a `CLIPInitialization`.
final class CLIPWeights {
    /// The stream random weights are drawn from (unused for zeros).
    var random: SeededRandom
    private let draws: Bool

    /// A factory for `initialization`.
    init(_ initialization: CLIPInitialization) {
        switch initialization {
        case .random(let seed): random = SeededRandom(seed: seed); draws = true
        case .zeros: random = SeededRandom(seed: 0); draws = false
        }
    }

    /// Uniform(-bound, bound) values, or zeros.
    func uniform(_ shape: [Int], bound: Float) -> Tensor {
        draws ? Tensor.randomUniform(shape: shape, lower: -bound, upper: bound, random: &random) : Tensor(shape: shape)
    }

    /// Normal(0, std^2) values, or zeros.
    func normal(_ shape: [Int], std: Float) -> Tensor {
        draws ? Tensor.randomNormal(shape: shape, std: std, random: &random) : Tensor(shape: shape)
    }
}

/// PyTorch `nn.Linear` (weight [out, in], bias [out]) for the frozen CLIP towers: forward only,
/// through Tensor's `linear`.
public final class CLIPLinear: Module {
    /// Weight [outFeatures, inFeatures] and bias [outFeatures].
    public let weight: Parameter, bias: Parameter

    /// A layer with PyTorch's default distribution (uniform +-1/sqrt(in)) or zeros.
    init(_ inFeatures: Int, _ outFeatures: Int, weights: CLIPWeights) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Parameter(weights.uniform([outFeatures, inFeatures], bound: bound))
        bias = Parameter(weights.uniform([outFeatures], bound: bound))
    }

    /// `weight`, `bias`.
    public var localParameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }

    /// y = x W^T + b over the last dimension.
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == weight.value.shape[1], "CLIPLinear expects last dimension \(weight.value.shape[1]), got \(x.shape)")
        return linear(x, weight: weight.value, bias: bias.value)
    }
}

/// CLIP multi-head self-attention with biased q, k, v and output projections (scale d^-1/2),
/// optionally causal (the text tower).
public final class CLIPAttention: Module {
    /// The query, key, value and output projections (all with bias).
    public let qProj: CLIPLinear, kProj: CLIPLinear, vProj: CLIPLinear, outProj: CLIPLinear
    /// The number of heads (OpenAI: width / 64).
    public let heads: Int

    /// Self-attention over `width` channels in `heads` heads.
    init(width: Int, heads: Int, weights: CLIPWeights) {
        precondition(heads > 0 && width % heads == 0, "CLIP attention width \(width) is not divisible by \(heads) heads")
        self.heads = heads
        qProj = CLIPLinear(width, width, weights: weights)
        kProj = CLIPLinear(width, width, weights: weights)
        vProj = CLIPLinear(width, width, weights: weights)
        outProj = CLIPLinear(width, width, weights: weights)
    }

    /// transformers' registration order; OpenAI's fused `in_proj` becomes these q/k/v names.
    public var children: [(String, any Module)] {
        [("k_proj", kProj), ("v_proj", vProj), ("q_proj", qProj), ("out_proj", outProj)]
    }

    /// x [B, L, width] -> [B, L, width]; `causal` masks keys after each query.
    public func forward(_ x: Tensor, causal: Bool) -> Tensor {
        let (attended, probabilities) = scaledDotProductAttention(q: qProj.forward(x), k: kProj.forward(x), v: vProj.forward(x),
                                                                  heads: heads, causal: causal)
        BufferPool.shared.recycle(probabilities.data)
        return outProj.forward(attended)
    }
}

/// CLIP's MLP: fc1 (width -> 4 width), QuickGELU, fc2 (OpenAI `c_fc`, `c_proj`).
public final class CLIPMLP: Module {
    /// The expanding and contracting projections.
    public let fc1: CLIPLinear, fc2: CLIPLinear
    /// The checkpoint naming of the children.
    public let naming: CLIPNaming

    /// An MLP of inner width `hidden`.
    init(width: Int, hidden: Int, naming: CLIPNaming, weights: CLIPWeights) {
        self.naming = naming
        fc1 = CLIPLinear(width, hidden, weights: weights)
        fc2 = CLIPLinear(hidden, width, weights: weights)
    }

    /// `c_fc` / `c_proj` (OpenAI) or `fc1` / `fc2` (transformers).
    public var children: [(String, any Module)] {
        switch naming {
        case .openAI: [("c_fc", fc1), ("c_proj", fc2)]
        case .transformers: [("fc1", fc1), ("fc2", fc2)]
        }
    }

    /// fc2(quickGELU(fc1(x))).
    public func forward(_ x: Tensor) -> Tensor {
        fc2.forward(quickGELU(fc1.forward(x)))
    }
}

/// One pre-LN transformer block: x += attn(ln1(x)); x += mlp(ln2(x)) (LayerNorm eps 1e-5).
public final class CLIPResidualBlock: Module {
    /// The pre-attention norm and the attention.
    public let ln1: LayerNorm, attention: CLIPAttention
    /// The pre-MLP norm and the MLP.
    public let ln2: LayerNorm, mlp: CLIPMLP
    /// The checkpoint naming of the children.
    public let naming: CLIPNaming

    /// A block of `width` channels, `heads` heads and MLP width `mlpWidth`.
    init(width: Int, heads: Int, mlpWidth: Int, naming: CLIPNaming, weights: CLIPWeights) {
        self.naming = naming
        ln1 = LayerNorm(width, eps: 1e-5)
        attention = CLIPAttention(width: width, heads: heads, weights: weights)
        ln2 = LayerNorm(width, eps: 1e-5)
        mlp = CLIPMLP(width: width, hidden: mlpWidth, naming: naming, weights: weights)
    }

    /// OpenAI `attn, ln_1, mlp, ln_2`; transformers `self_attn, layer_norm1, mlp, layer_norm2`.
    public var children: [(String, any Module)] {
        switch naming {
        case .openAI: [("attn", attention), ("ln_1", ln1), ("mlp", mlp), ("ln_2", ln2)]
        case .transformers: [("self_attn", attention), ("layer_norm1", ln1), ("mlp", mlp), ("layer_norm2", ln2)]
        }
    }

    /// The block's output for tokens x [B, L, width].
    public func forward(_ x: Tensor, causal: Bool) -> Tensor {
        var h = x
        h.addInPlace(attention.forward(ln1.forward(x), causal: causal))
        var y = h
        y.addInPlace(mlp.forward(ln2.forward(h)))
        return y
    }
}
