import Support
import Tensor

/// ldm's `openaimodel.ResBlock` (dims 2, use_scale_shift_norm False, no up/down, dropout 0):
///
///     h = conv1(silu(norm1(x)))                 in_layers  = [GroupNorm32, SiLU, conv3x3]
///     h = h + linear(silu(emb))[:, :, None, None] emb_layers = [SiLU, Linear(embDim, out)]
///     h = conv2(silu(norm2(h)))                 out_layers = [GroupNorm32, SiLU, Dropout, conv3x3]
///     return skip(x) + h                        skip: identity, or 1x1 conv when channels change
///
/// ldm zero-initialises the last conv (`zero_module`); `zeroInitOutput` keeps that default.
public final class ResBlock: Module {
    /// in_layers.0, in_layers.2, emb_layers.1, out_layers.0, out_layers.3.
    public let norm1: GroupNorm, conv1: Conv2d, embLinear: Linear, norm2: GroupNorm, conv2: Conv2d
    /// The 1x1 skip convolution when in and out channels differ.
    public let skip: Conv2d?
    private var cache: (x: Tensor, n1: Tensor, emb: Tensor, h: Tensor, n2: Tensor)?

    /// A block from `channels` to `outChannels` with a timestep embedding of width `embDim`.
    public init(channels: Int, outChannels: Int? = nil, embDim: Int, groups: Int = 32,
                zeroInitOutput: Bool = true, random: inout SeededRandom) {
        let out = outChannels ?? channels
        norm1 = GroupNorm(groups: groups, channels: channels, eps: 1e-5)
        conv1 = Conv2d(channels, out, kernel: 3, padding: 1, random: &random)
        embLinear = Linear(embDim, out, random: &random)
        norm2 = GroupNorm(groups: groups, channels: out, eps: 1e-5)
        conv2 = Conv2d(out, out, kernel: 3, padding: 1, random: &random)
        if zeroInitOutput {
            conv2.weight.value = conv2.weight.value.zerosLike()
            conv2.bias!.value = conv2.bias!.value.zerosLike()
        }
        skip = out == channels ? nil : Conv2d(channels, out, kernel: 1, random: &random)
    }

    public var children: [(String, any Module)] {
        var list: [(String, any Module)] = [("in_layers.0", norm1), ("in_layers.2", conv1), ("emb_layers.1", embLinear),
                                            ("out_layers.0", norm2), ("out_layers.3", conv2)]
        if let skip { list.append(("skip_connection", skip)) }
        return list
    }

    /// x [N, C, H, W], emb [N, embDim] -> [N, out, H, W].
    public func forward(_ x: Tensor, emb: Tensor) -> Tensor {
        let n1 = norm1.forward(x)
        var h = conv1.forward(silu(n1))
        let e = embLinear.forward(silu(emb))
        h = add(h, e.reshaped([e.shape[0], e.shape[1], 1, 1]))
        let n2 = norm2.forward(h)
        var y = conv2.forward(silu(n2))
        y.addInPlace(skip?.forward(x) ?? x)
        if InferenceMode.keepsActivations { cache = (x, n1, emb, h, n2) }
        return y
    }

    /// Accumulates all gradients; returns (dx, demb).
    public func backward(_ dy: Tensor) -> (dx: Tensor, dEmb: Tensor) {
        guard let c = cache else { preconditionFailure("ResBlock.backward called before forward") }
        cache = nil
        let dh = norm2.backward(siluBackward(c.n2, conv2.backward(dy)))
        let (dhConv, dE) = addBackward(c.h.shape, [c.h.shape[0], c.h.shape[1], 1, 1], dh)
        let dEmb = siluBackward(c.emb, embLinear.backward(dE.reshaped([c.h.shape[0], c.h.shape[1]])))
        var dx = norm1.backward(siluBackward(c.n1, conv1.backward(dhConv)))
        dx.addInPlace(skip?.backward(dy) ?? dy)
        return (dx, dEmb)
    }
}
