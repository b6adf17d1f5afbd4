import Support
import Tensor

/// ldm's `attention.SpatialTransformer` (use_linear False, depth 1 by default):
///
///     h = proj_in(norm(x))                    GroupNorm32 (eps 1e-6), 1x1 conv C -> heads*dimHead
///     h = rearrange(h, 'b c h w -> b (h w) c')
///     h = block(h, context) for each block     BasicTransformerBlock(s)
///     h = rearrange back; return proj_out(h) + x   1x1 conv, zero-initialised (`zero_module`)
///
/// With `dualCrossAttention` every block's attn2 is CustomNet's dual cross-attention.
public final class SpatialTransformer: Module {
    /// norm, proj_in, transformer_blocks, proj_out.
    public let norm: GroupNorm, projIn: Conv2d, blocks: ModuleList<TransformerBlock>, projOut: Conv2d
    private var spatial: (Int, Int)?

    /// A spatial transformer over `channels` with `heads` x `dimHead` attention width.
    public init(channels: Int, heads: Int, dimHead: Int, contextDim: Int, depth: Int = 1, groups: Int = 32,
                dualCrossAttention: Bool = false, zeroInitOutput: Bool = true, random: inout SeededRandom) {
        let inner = heads * dimHead
        norm = GroupNorm(groups: groups, channels: channels, eps: 1e-6)
        projIn = Conv2d(channels, inner, kernel: 1, random: &random)
        var list: [TransformerBlock] = []
        for _ in 0..<depth {
            list.append(TransformerBlock(dim: inner, heads: heads, dimHead: dimHead, contextDim: contextDim,
                                         dualCrossAttention: dualCrossAttention, random: &random))
        }
        blocks = ModuleList(list)
        projOut = Conv2d(inner, channels, kernel: 1, random: &random)
        if zeroInitOutput {
            projOut.weight.value = projOut.weight.value.zerosLike()
            projOut.bias!.value = projOut.bias!.value.zerosLike()
        }
    }

    public var children: [(String, any Module)] {
        [("norm", norm), ("proj_in", projIn), ("transformer_blocks", blocks), ("proj_out", projOut)]
    }

    /// x [N, C, H, W], context [N, Lc, contextDim] -> [N, C, H, W].
    public func forward(_ x: Tensor, context: Tensor) -> Tensor {
        let h = x.shape[2], w = x.shape[3]
        spatial = (h, w)
        var t = imageToTokens(projIn.forward(norm.forward(x)))
        for b in blocks { t = b.forward(t, context: context) }
        var y = projOut.forward(tokensToImage(t, height: h, width: w))
        y.addInPlace(x)
        return y
    }

    /// Accumulates all gradients; returns (dx, dcontext).
    public func backward(_ dy: Tensor) -> (dx: Tensor, dContext: Tensor) {
        guard let (h, w) = spatial else { preconditionFailure("SpatialTransformer.backward called before forward") }
        var dt = imageToTokens(projOut.backward(dy))
        var dContext: Tensor?
        for b in blocks.reversed() {
            let (dIn, dCtx) = b.backward(dt)
            dt = dIn
            if dContext == nil { dContext = dCtx } else { dContext!.addInPlace(dCtx) }
        }
        var dx = norm.backward(projIn.backward(tokensToImage(dt, height: h, width: w)))
        dx.addInPlace(dy)
        return (dx, dContext!)
    }
}
