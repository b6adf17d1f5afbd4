// Follows zero123 `ldm/modules/diffusionmodules/model.py`: Normalize, nonlinearity, ResnetBlock
// (temb_channels 0), AttnBlock ("vanilla"), Downsample and Upsample (with_conv True).
// Inference only: these blocks have no backward pass (the VAE is frozen in training).
import NN
import Support
import Tensor

/// ldm's `Normalize`: GroupNorm with 32 groups and eps 1e-6 (affine), used by every VAE block.
enum VAENormalization {
    /// The group count of every VAE GroupNorm.
    static let groups = 32
    /// The epsilon of every VAE GroupNorm (1e-6, unlike the UNet ResBlocks' 1e-5).
    static let eps: Float = 1e-6

    /// A VAE GroupNorm over `channels`.
    static func make(_ channels: Int) -> GroupNorm { GroupNorm(groups: groups, channels: channels, eps: eps) }
}

/// ldm `model.ResnetBlock` without a timestep embedding (dropout 0, conv_shortcut False):
///
///     h = conv1(swish(norm1(x)));  h = conv2(swish(norm2(h)));  return nin_shortcut(x) + h
///
/// where `nin_shortcut` is a 1x1 conv present only when the channel count changes. Inference only.
public final class VAEResnetBlock: Module {
    /// `norm1`, `conv1` (3x3), `norm2`, `conv2` (3x3).
    public let norm1: GroupNorm, conv1: Conv2d, norm2: GroupNorm, conv2: Conv2d
    /// `nin_shortcut`: the 1x1 conv on the skip path when input and output channels differ.
    public let ninShortcut: Conv2d?

    /// A block from `inChannels` to `outChannels` with PyTorch's default initialisation.
    public init(inChannels: Int, outChannels: Int, random: inout SeededRandom) {
        norm1 = VAENormalization.make(inChannels)
        conv1 = Conv2d(inChannels, outChannels, kernel: 3, padding: 1, random: &random)
        norm2 = VAENormalization.make(outChannels)
        conv2 = Conv2d(outChannels, outChannels, kernel: 3, padding: 1, random: &random)
        ninShortcut = inChannels == outChannels ? nil : Conv2d(inChannels, outChannels, kernel: 1, random: &random)
    }

    public var children: [(String, any Module)] {
        var list: [(String, any Module)] = [("norm1", norm1), ("conv1", conv1), ("norm2", norm2), ("conv2", conv2)]
        if let ninShortcut { list.append(("nin_shortcut", ninShortcut)) }
        return list
    }

    /// x [N, in, H, W] -> [N, out, H, W].
    public func forward(_ x: Tensor) -> Tensor {
        let h = bandedConv2d(silu(norm1.forward(x)), conv1)
        var y = bandedConv2d(silu(norm2.forward(h)), conv2)
        y.addInPlace(ninShortcut.map { bandedConv2d(x, $0) } ?? x)
        return y
    }
}

/// ldm `model.AttnBlock`: single-head self-attention over the H*W positions of a C-channel map,
/// with q, k, v and proj_out as 1x1 convs (weights [C, C, 1, 1], as the checkpoint stores them):
///
///     h = norm(x);  w = softmax(q(h)^T k(h) / sqrt(C));  return x + proj_out(v(h) w^T)
///
/// The 1x1 convs run as linears on the token layout [N, H*W, C]. Inference only.
public final class VAEAttentionBlock: Module {
    /// `norm` (GroupNorm 32, eps 1e-6).
    public let norm: GroupNorm
    /// `q`, `k`, `v`, `proj_out`: 1x1 convs C -> C with bias.
    public let q: Conv2d, k: Conv2d, v: Conv2d, projOut: Conv2d
    /// The channel count C.
    public let channels: Int

    /// A block over `channels` channels with PyTorch's default initialisation.
    public init(channels: Int, random: inout SeededRandom) {
        self.channels = channels
        norm = VAENormalization.make(channels)
        q = Conv2d(channels, channels, kernel: 1, random: &random)
        k = Conv2d(channels, channels, kernel: 1, random: &random)
        v = Conv2d(channels, channels, kernel: 1, random: &random)
        projOut = Conv2d(channels, channels, kernel: 1, random: &random)
    }

    public var children: [(String, any Module)] { [("norm", norm), ("q", q), ("k", k), ("v", v), ("proj_out", projOut)] }

    /// x [N, C, H, W] -> [N, C, H, W].
    public func forward(_ x: Tensor) -> Tensor {
        let height = x.shape[2], width = x.shape[3]
        let tokens = imageToTokens(norm.forward(x))
        let attended = scaledDotProductAttention(q: pointwise(q, tokens), k: pointwise(k, tokens), v: pointwise(v, tokens),
                                                 heads: 1).output
        var y = tokensToImage(pointwise(projOut, attended), height: height, width: width)
        y.addInPlace(x)
        return y
    }

    /// A 1x1 conv applied to tokens [N, L, C] as a linear with the weight seen as [out, in].
    private func pointwise(_ conv: Conv2d, _ tokens: Tensor) -> Tensor {
        linear(tokens, weight: conv.weight.value.reshaped([conv.outChannels, conv.inChannels]), bias: conv.bias?.value)
    }
}

/// ldm `model.Downsample` with a conv: zero-pad right and bottom by one (`F.pad(x, (0, 1, 0, 1))`),
/// then a 3x3 conv with stride 2 and no padding: [N, C, H, W] -> [N, C, floor(H/2), floor(W/2)].
/// The asymmetric pad is why this is not a stride-2 conv with padding 1 (that one
/// reads rows 2i-1..2i+1; this one reads 2i..2i+2). Inference only.
public final class VAEDownsample: Module {
    /// `conv`: 3x3, stride 2, padding 0.
    public let conv: Conv2d

    /// A downsampler over `channels` channels with PyTorch's default initialisation.
    public init(channels: Int, random: inout SeededRandom) {
        conv = Conv2d(channels, channels, kernel: 3, stride: 2, padding: 0, random: &random)
    }

    public var children: [(String, any Module)] { [("conv", conv)] }

    /// x [N, C, H, W] -> [N, C, floor(H/2), floor(W/2)]: `F.pad` then `conv`.
    public func forward(_ x: Tensor) -> Tensor {
        bandedConv2d(pad2d(x, bottom: 1, right: 1), conv)
    }
}

/// ldm `model.Upsample` with a conv: nearest-neighbour 2x (`F.interpolate(scale_factor=2.0,
/// mode="nearest")`), then a 3x3 conv with padding 1. The upsampled map is never materialised
/// (the banded conv upsamples while copying its input rows). Inference only.
public final class VAEUpsample: Module {
    /// `conv`: 3x3, stride 1, padding 1.
    public let conv: Conv2d

    /// An upsampler over `channels` channels with PyTorch's default initialisation.
    public init(channels: Int, random: inout SeededRandom) {
        conv = Conv2d(channels, channels, kernel: 3, padding: 1, random: &random)
    }

    public var children: [(String, any Module)] { [("conv", conv)] }

    /// x [N, C, H, W] -> [N, C, 2H, 2W].
    public func forward(_ x: Tensor) -> Tensor {
        bandedConv2d(x, conv, upsampled: true)
    }
}
