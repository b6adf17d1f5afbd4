// Follows zero123 `ldm/modules/diffusionmodules/model.py`: Encoder (and the `mid` block it shares
// with Decoder). Inference only.
import NN
import Support
import Tensor

/// One level of ldm's Encoder (`encoder.down.{i}`): `block` ResnetBlocks, an `attn` AttnBlock after
/// each of them when the level's resolution is in `attn_resolutions`, and a `downsample` on every
/// level but the last.
public final class VAEDownLevel: Module {
    /// `block.{j}`.
    public let block: ModuleList<VAEResnetBlock>
    /// `attn.{j}` (empty when the level has no attention, as in zero123).
    public let attn: ModuleList<VAEAttentionBlock>
    /// `downsample` (absent on the last level).
    public let downsample: VAEDownsample?

    /// A level from its parts.
    init(block: [VAEResnetBlock], attn: [VAEAttentionBlock], downsample: VAEDownsample?) {
        self.block = ModuleList(block)
        self.attn = ModuleList(attn)
        self.downsample = downsample
    }

    public var children: [(String, any Module)] {
        var list: [(String, any Module)] = [("block", block), ("attn", attn)]
        if let downsample { list.append(("downsample", downsample)) }
        return list
    }

    /// Runs the blocks (each followed by its AttnBlock when present), then the downsample.
    func forward(_ x: Tensor) -> Tensor {
        var h = x
        for (j, resnet) in block.enumerated() {
            h = resnet.forward(h)
            if !attn.isEmpty { h = attn[j].forward(h) }
        }
        return downsample?.forward(h) ?? h
    }
}

/// ldm's `mid` block of Encoder and Decoder: `block_1`, `attn_1`, `block_2` at the lowest resolution.
public final class VAEMiddle: Module {
    /// `block_1`, `attn_1`, `block_2`.
    public let block1: VAEResnetBlock, attn1: VAEAttentionBlock, block2: VAEResnetBlock

    /// A middle block over `channels` channels.
    init(channels: Int, random: inout SeededRandom) {
        block1 = VAEResnetBlock(inChannels: channels, outChannels: channels, random: &random)
        attn1 = VAEAttentionBlock(channels: channels, random: &random)
        block2 = VAEResnetBlock(inChannels: channels, outChannels: channels, random: &random)
    }

    public var children: [(String, any Module)] { [("block_1", block1), ("attn_1", attn1), ("block_2", block2)] }

    /// block_2(attn_1(block_1(x))).
    func forward(_ x: Tensor) -> Tensor { block2.forward(attn1.forward(block1.forward(x))) }
}

/// ldm `model.Encoder`: image [N, in_channels, H, W] -> moments [N, 2 z_channels, H/f, W/f] with
/// f = 2^(levels - 1): conv_in, the `down` levels, `mid`, norm_out, swish, conv_out. Inference only.
public final class VAEEncoder: Module {
    /// `conv_in` (3x3, in_channels -> ch).
    public let convIn: Conv2d
    /// `down.{i}`.
    public let down: ModuleList<VAEDownLevel>
    /// `mid`.
    public let mid: VAEMiddle
    /// `norm_out`.
    public let normOut: GroupNorm
    /// `conv_out` (3x3, -> 2 z_channels).
    public let convOut: Conv2d

    /// The encoder of a validated configuration.
    init(_ config: AutoencoderConfiguration.Network, random: inout SeededRandom) {
        convIn = Conv2d(config.inChannels, config.channels, kernel: 3, padding: 1, random: &random)
        var levels: [VAEDownLevel] = []
        var blockIn = config.channels, resolution = config.resolution
        for (i, blockOut) in config.levelChannels.enumerated() {
            var blocks: [VAEResnetBlock] = [], attentions: [VAEAttentionBlock] = []
            for _ in 0..<config.resBlockCount {
                blocks.append(VAEResnetBlock(inChannels: blockIn, outChannels: blockOut, random: &random))
                blockIn = blockOut
                if config.attentionResolutions.contains(resolution) {
                    attentions.append(VAEAttentionBlock(channels: blockIn, random: &random))
                }
            }
            let isLast = i == config.levelCount - 1
            levels.append(VAEDownLevel(block: blocks, attn: attentions,
                                       downsample: isLast ? nil : VAEDownsample(channels: blockIn, random: &random)))
            if !isLast { resolution /= 2 }
        }
        down = ModuleList(levels)
        mid = VAEMiddle(channels: blockIn, random: &random)
        normOut = VAENormalization.make(blockIn)
        convOut = Conv2d(blockIn, (config.doubleZ ? 2 : 1) * config.zChannels, kernel: 3, padding: 1, random: &random)
    }

    public var children: [(String, any Module)] {
        [("conv_in", convIn), ("down", down), ("mid", mid), ("norm_out", normOut), ("conv_out", convOut)]
    }

    /// x [N, in_channels, H, W] -> [N, 2 z_channels, H/f, W/f].
    func forward(_ x: Tensor) -> Tensor {
        var h = bandedConv2d(x, convIn)
        for level in down { h = level.forward(h) }
        h = mid.forward(h)
        return bandedConv2d(silu(normOut.forward(h)), convOut)
    }
}
