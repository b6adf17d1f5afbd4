import Support
import Tensor

/// ldm's `attention.CrossAttention` (to_q / to_k / to_v without bias, to_out = Linear + Dropout(0)),
/// optionally with CustomNet's dual cross-attention: a second key/value pair `to_k_text`,
/// `to_v_text` for the text tokens, one shared query and one shared `to_out`:
///
///     out = to_out( attn(Q, K_img, V_img) + textScale * attn(Q, K_txt, V_txt) )
///
/// where the context [B, Lc, contextDim] is split on tokens: the first `imageTokens` go to the
/// image pair, the rest (77 CLIP text tokens) to the text pair. Without a context the layer is
/// self-attention (context = x).
public final class CrossAttention: Module {
    /// Query, (image) key and value projections without bias, and the shared output projection (`to_out.0`).
    public let toQ: Linear, toK: Linear, toV: Linear, toOut: Linear
    /// CustomNet's text key/value projections (nil for plain ldm attention).
    public let toKText: Linear?, toVText: Linear?
    /// Head count and width per head (SD-1.x: 8 heads).
    public let heads: Int, dimHead: Int
    /// Weight of the text branch (CustomNet's text_scale, 1.0 by default).
    public var textScale: Float
    /// How many leading context tokens belong to the image branch in dual mode (1 in CustomNet).
    public let imageTokens: Int
    private var cache: Cache?

    private struct Cache {
        var q: Tensor, k: Tensor, v: Tensor, p: Tensor
        var kt: Tensor?, vt: Tensor?, pt: Tensor?
        var selfAttention: Bool
        var contextShape: [Int]
    }

    /// - Parameters: queryDim: width of x; contextDim: width of the context (nil: self-attention,
    ///   context = x); dual: add CustomNet's text key/value pair.
    public init(queryDim: Int, contextDim: Int? = nil, heads: Int, dimHead: Int, dual: Bool = false,
                textScale: Float = 1, imageTokens: Int = 1, random: inout SeededRandom) {
        let inner = heads * dimHead, ctx = contextDim ?? queryDim
        self.heads = heads
        self.dimHead = dimHead
        self.textScale = textScale
        self.imageTokens = imageTokens
        toQ = Linear(queryDim, inner, bias: false, random: &random)
        toK = Linear(ctx, inner, bias: false, random: &random)
        toV = Linear(ctx, inner, bias: false, random: &random)
        if dual {
            toKText = Linear(ctx, inner, bias: false, random: &random)
            toVText = Linear(ctx, inner, bias: false, random: &random)
        } else {
            toKText = nil
            toVText = nil
        }
        toOut = Linear(inner, queryDim, random: &random)
    }

    public var children: [(String, any Module)] {
        var list: [(String, any Module)] = [("to_q", toQ), ("to_k", toK), ("to_v", toV)]
        if let toKText, let toVText { list += [("to_k_text", toKText), ("to_v_text", toVText)] }
        return list + [("to_out.0", toOut)]
    }

    /// x [B, L, queryDim], context [B, Lc, contextDim] or nil; returns [B, L, queryDim].
    public func forward(_ x: Tensor, context: Tensor? = nil) -> Tensor {
        let ctx = context ?? x
        let q = toQ.forward(x)
        var attended: Tensor
        if let toKText, let toVText {
            precondition(ctx.shape[1] > imageTokens, "dual cross-attention needs more than \(imageTokens) context tokens, got \(ctx.shape)")
            let parts = split(ctx, sizes: [imageTokens, ctx.shape[1] - imageTokens], axis: 1)
            let k = toK.forward(parts[0]), v = toV.forward(parts[0])
            let kt = toKText.forward(parts[1]), vt = toVText.forward(parts[1])
            let (oi, p) = scaledDotProductAttention(q: q, k: k, v: v, heads: heads)
            var (ot, pt) = scaledDotProductAttention(q: q, k: kt, v: vt, heads: heads)
            ot.scaleInPlace(textScale)
            attended = oi
            attended.addInPlace(ot)
            if InferenceMode.keepsActivations {
                cache = Cache(q: q, k: k, v: v, p: p, kt: kt, vt: vt, pt: pt, selfAttention: context == nil, contextShape: ctx.shape)
            } else {
                BufferPool.shared.recycle(p.data)
                BufferPool.shared.recycle(pt.data)
            }
        } else {
            let k = toK.forward(ctx), v = toV.forward(ctx)
            let (o, p) = scaledDotProductAttention(q: q, k: k, v: v, heads: heads)
            attended = o
            if InferenceMode.keepsActivations {
                cache = Cache(q: q, k: k, v: v, p: p, kt: nil, vt: nil, pt: nil, selfAttention: context == nil, contextShape: ctx.shape)
            } else {
                BufferPool.shared.recycle(p.data)
            }
        }
        return toOut.forward(attended)
    }

    /// Accumulates every projection's gradients; returns dx and, for cross-attention, dcontext.
    public func backward(_ dy: Tensor) -> (dx: Tensor, dContext: Tensor?) {
        guard let c = cache else { preconditionFailure("CrossAttention.backward called before forward") }
        cache = nil
        let dAttended = toOut.backward(dy)
        let g = scaledDotProductAttentionBackward(q: c.q, k: c.k, v: c.v, probabilities: c.p, heads: heads, dOutput: dAttended)
        var dq = g.dq
        var dCtx: Tensor
        if let toKText, let toVText, let kt = c.kt, let vt = c.vt, let pt = c.pt {
            var dText = dAttended
            dText.scaleInPlace(textScale)
            let gt = scaledDotProductAttentionBackward(q: c.q, k: kt, v: vt, probabilities: pt, heads: heads, dOutput: dText)
            dq.addInPlace(gt.dq)
            var dImg = toK.backward(g.dk)
            dImg.addInPlace(toV.backward(g.dv))
            var dTxt = toKText.backward(gt.dk)
            dTxt.addInPlace(toVText.backward(gt.dv))
            dCtx = concat([dImg, dTxt], axis: 1)
        } else {
            dCtx = toK.backward(g.dk)
            dCtx.addInPlace(toV.backward(g.dv))
        }
        var dx = toQ.backward(dq)
        // The probabilities are the largest activations of the model: reuse their memory next step.
        BufferPool.shared.recycle(c.p.data)
        if let pt = c.pt { BufferPool.shared.recycle(pt.data) }
        if c.selfAttention {
            dx.addInPlace(dCtx)
            return (dx, nil)
        }
        return (dx, dCtx)
    }
}
