// Follows zero123 `ldm/modules/diffusionmodules/model.py`: Decoder (give_pre_end and tanh_out
// False, as AutoencoderKL builds it). Inference only.
import NN
import Support
import Tensor

/// One level of ldm's Decoder (`decoder.up.{i}`): num_res_blocks + 1 ResnetBlocks, an AttnBlock
/// after each when the level's resolution is in `attn_resolutions`, and an `upsample` on every
/// level but level 0. `up.{i}` holds level i (ldm inserts each at the front), so it runs from the
/// last index to 0.
public final class VAEUpLevel: Module {
    /// `block.{j}`.
    public let block: ModuleList<VAEResnetBlock>
    /// `attn.{j}` (empty when the level has no attention, as in zero123).
    public let attn: ModuleList<VAEAttentionBlock>
    /// `upsample` (absent on level 0).
    public let upsample: VAEUpsample?

    /// A level from its parts.
    init(block: [VAEResnetBlock], attn: [VAEAttentionBlock], upsample: VAEUpsample?) {
        self.block = ModuleList(block)
        self.attn = ModuleList(attn)
        self.upsample = upsample
    }

    public var children: [(String, any Module)] {
        var list: [(String, any Module)] = [("block", block), ("attn", attn)]
        if let upsample { list.append(("upsample", upsample)) }
        return list
    }

    /// Runs the blocks (each followed by its AttnBlock when present), then the upsample.
    func forward(_ x: Tensor) -> Tensor {
        var h = x
        for (j, resnet) in block.enumerated() {
            h = resnet.forward(h)
            if !attn.isEmpty { h = attn[j].forward(h) }
        }
        return upsample?.forward(h) ?? h
    }
}

/// ldm `model.Decoder`: latent [N, z_channels, h, w] -> image [N, out_ch, h f, w f] with
/// f = 2^(levels - 1): conv_in, `mid`, the `up` levels from the lowest resolution up, norm_out,
/// swish, conv_out. Inference only.
public final class VAEDecoder: Module {
    /// `conv_in` (3x3, z_channels -> ch * ch_mult[-1]).
    public let convIn: Conv2d
    /// `mid`.
    public let mid: VAEMiddle
    /// `up.{i}`, indexed by level (up.0 is the full-resolution level, run last).
    public let up: ModuleList<VAEUpLevel>
    /// `norm_out`.
    public let normOut: GroupNorm
    /// `conv_out` (3x3, ch -> out_ch).
    public let convOut: Conv2d

    /// The decoder of a validated configuration.
    init(_ config: AutoencoderConfiguration.Network, random: inout SeededRandom) {
        let levelChannels = config.levelChannels
        var blockIn = levelChannels[levelChannels.count - 1]
        var resolution = config.resolution >> (config.levelCount - 1)
        convIn = Conv2d(config.zChannels, blockIn, kernel: 3, padding: 1, random: &random)
        mid = VAEMiddle(channels: blockIn, random: &random)
        var levels: [VAEUpLevel] = []
        for i in (0..<config.levelCount).reversed() {
            let blockOut = levelChannels[i]
            var blocks: [VAEResnetBlock] = [], attentions: [VAEAttentionBlock] = []
            for _ in 0...config.resBlockCount {
                blocks.append(VAEResnetBlock(inChannels: blockIn, outChannels: blockOut, random: &random))
                blockIn = blockOut
                if config.attentionResolutions.contains(resolution) {
                    attentions.append(VAEAttentionBlock(channels: blockIn, random: &random))
                }
            }
            levels.insert(VAEUpLevel(block: blocks, attn: attentions,
                                     upsample: i == 0 ? nil : VAEUpsample(channels: blockIn, random: &random)), at: 0)
            if i != 0 { resolution *= 2 }
        }
        up = ModuleList(levels)
        normOut = VAENormalization.make(blockIn)
        convOut = Conv2d(blockIn, config.outChannels, kernel: 3, padding: 1, random: &random)
    }

    public var children: [(String, any Module)] {
        [("conv_in", convIn), ("mid", mid), ("up", up), ("norm_out", normOut), ("conv_out", convOut)]
    }

    /// z [N, z_channels, h, w] -> [N, out_ch, h f, w f].
    func forward(_ z: Tensor) -> Tensor {
        var h = mid.forward(bandedConv2d(z, convIn))
        for level in up.reversed() { h = level.forward(h) }
        return bandedConv2d(silu(normOut.forward(h)), convOut)
    }
}
