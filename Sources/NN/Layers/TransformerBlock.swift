import Support
import Tensor

/// ldm's `attention.BasicTransformerBlock` (checkpointing off, dropout 0):
///
///     x = attn1(norm1(x)) + x                 self-attention
///     x = attn2(norm2(x), context) + x        cross-attention (CustomNet: dual)
///     x = ff(norm3(x)) + x                    GEGLU feed-forward
///
/// on tokens [B, L, dim] with a context [B, Lc, contextDim] of a different length.
public final class TransformerBlock: Module {
    /// Pre-norm and self-attention.
    public let norm1: LayerNorm, attn1: CrossAttention
    /// Pre-norm and (dual) cross-attention.
    public let norm2: LayerNorm, attn2: CrossAttention
    /// Pre-norm and GEGLU feed-forward.
    public let norm3: LayerNorm, ff: FeedForward

    /// - Parameters: dualCrossAttention: give attn2 CustomNet's text key/value pair.
    public init(dim: Int, heads: Int, dimHead: Int, contextDim: Int, dualCrossAttention: Bool = false,
                random: inout SeededRandom) {
        norm1 = LayerNorm(dim)
        attn1 = CrossAttention(queryDim: dim, heads: heads, dimHead: dimHead, random: &random)
        norm2 = LayerNorm(dim)
        attn2 = CrossAttention(queryDim: dim, contextDim: contextDim, heads: heads, dimHead: dimHead,
                               dual: dualCrossAttention, random: &random)
        norm3 = LayerNorm(dim)
        ff = FeedForward(dim: dim, random: &random)
    }

    /// In ldm's registration order: attn1, ff, attn2, norm1, norm2, norm3.
    public var children: [(String, any Module)] {
        [("attn1", attn1), ("ff", ff), ("attn2", attn2), ("norm1", norm1), ("norm2", norm2), ("norm3", norm3)]
    }

    /// The block's output, same shape as x.
    public func forward(_ x: Tensor, context: Tensor) -> Tensor {
        var h = x
        h.addInPlace(attn1.forward(norm1.forward(x)))
        var h2 = h
        h2.addInPlace(attn2.forward(norm2.forward(h), context: context))
        var h3 = h2
        h3.addInPlace(ff.forward(norm3.forward(h2)))
        return h3
    }

    /// Accumulates all gradients; returns (dx, dcontext).
    public func backward(_ dy: Tensor) -> (dx: Tensor, dContext: Tensor) {
        var d2 = dy
        d2.addInPlace(norm3.backward(ff.backward(dy)))
        let (da2, dCtx) = attn2.backward(d2)
        var d1 = d2
        d1.addInPlace(norm2.backward(da2))
        var dx = d1
        dx.addInPlace(norm1.backward(attn1.backward(d1).dx))
        return (dx, dCtx!)
    }
}
