// Follows openai/CLIP `clip/model.py` (`ResidualAttentionBlock`, `QuickGELU`, the
// `nn.MultiheadAttention` it wraps) and transformers `models/clip/modeling_clip.py`
// (`CLIPEncoderLayer`, `CLIPAttention`, `CLIPMLP`): the same pre-LN block under two namings.
// Inference only: CLIP is frozen in zero123 and CustomNet, so no backward pass is written.
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

/// CLIP multi-head self-attention with biased q, k, v and output projections (scale d^-1/2),
/// optionally causal (the text tower).
public final class CLIPAttention: Module {
    /// The query, key, value and output projections (all with bias).
    public let qProj: Linear, kProj: Linear, vProj: Linear, outProj: Linear
    /// The number of heads (OpenAI: width / 64).
    public let heads: Int

    /// Self-attention over `width` channels in `heads` heads.
    public init(width: Int, heads: Int, random: inout SeededRandom) {
        precondition(heads > 0 && width % heads == 0, "CLIP attention width \(width) is not divisible by \(heads) heads")
        self.heads = heads
        qProj = Linear(width, width, random: &random)
        kProj = Linear(width, width, random: &random)
        vProj = Linear(width, width, random: &random)
        outProj = Linear(width, width, random: &random)
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
    public let fc1: Linear, fc2: Linear
    /// The checkpoint naming of the children.
    public let naming: CLIPNaming

    /// An MLP of inner width `hidden`.
    public init(width: Int, hidden: Int, naming: CLIPNaming, random: inout SeededRandom) {
        self.naming = naming
        fc1 = Linear(width, hidden, random: &random)
        fc2 = Linear(hidden, width, random: &random)
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
    public init(width: Int, heads: Int, mlpWidth: Int, naming: CLIPNaming, random: inout SeededRandom) {
        self.naming = naming
        ln1 = LayerNorm(width, eps: 1e-5)
        attention = CLIPAttention(width: width, heads: heads, random: &random)
        ln2 = LayerNorm(width, eps: 1e-5)
        mlp = CLIPMLP(width: width, hidden: mlpWidth, naming: naming, random: &random)
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
