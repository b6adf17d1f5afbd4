// Follows zero123 `ldm/modules/diffusionmodules/openaimodel.py` (UNetModel, dims 2, no
// scale-shift norm, conv resampling, dropout 0) and, for the dual cross-attention, CustomNet
// `customnet/openaimodel.py` / `customnet/attention.py`.
import Support
import Tensor
import NN

/// ldm's `UNetModel` as zero123 and CustomNet use it: eps(x_t, t, context) where x_t carries the
/// noisy latent and the concat channels together. Parameter names are the checkpoint's keys
/// below `model.diffusion_model.` (time_embed.0, input_blocks.4.1.transformer_blocks.0.attn2.to_k,
/// output_blocks.2.1.conv, out.2, ...), collected from the module tree.
public final class UNetModel: Module {
    /// The configuration it was built from.
    public let configuration: UNetConfiguration
    /// `time_embed`: Linear, SiLU, Linear on the sinusoidal embedding.
    public let timeEmbed: TimestepEmbedder
    /// `input_blocks`, `middle_block`, `output_blocks`.
    public let inputBlocks: ModuleList<TimestepBlock>, middleBlock: TimestepBlock, outputBlocks: ModuleList<TimestepBlock>
    /// `out`: GroupNorm32 (eps 1e-5), SiLU, 3x3 conv to the output channels.
    public let out: Sequential
    private var skipShapes: [[Int]] = []

    /// Builds the network of `configuration` with PyTorch-style random weights (zero-initialised
    /// output convs as ldm's `zero_module`); load a checkpoint to give it real weights.
    public init(_ configuration: UNetConfiguration, random: inout SeededRandom) {
        let c = configuration
        self.configuration = c
        let embDim = c.modelChannels * 4, groups = c.normGroups
        timeEmbed = TimestepEmbedder(modelChannels: c.modelChannels, embDim: embDim, random: &random)
        func transformer(_ ch: Int, _ random: inout SeededRandom) -> UNetLayer {
            let (heads, dimHead) = c.attentionHeads(channels: ch)
            return .transformer(SpatialTransformer(channels: ch, heads: heads, dimHead: dimHead, contextDim: c.contextDim,
                                                   depth: c.transformerDepth, groups: groups,
                                                   dualCrossAttention: c.dualCrossAttention, random: &random))
        }
        var input = [TimestepBlock([.convolution(Conv2d(c.inChannels, c.modelChannels, kernel: 3, padding: 1, random: &random))])]
        var skipChannels = [c.modelChannels]
        var ch = c.modelChannels, ds = 1
        for (level, mult) in c.channelMult.enumerated() {
            for _ in 0..<c.numResBlocks {
                var layers: [UNetLayer] = [.residual(ResBlock(channels: ch, outChannels: mult * c.modelChannels, embDim: embDim,
                                                               groups: groups, random: &random))]
                ch = mult * c.modelChannels
                if c.attentionResolutions.contains(ds) { layers.append(transformer(ch, &random)) }
                input.append(TimestepBlock(layers))
                skipChannels.append(ch)
            }
            if level != c.channelMult.count - 1 {
                input.append(TimestepBlock([.downsample(Downsample(channels: ch, random: &random))]))
                skipChannels.append(ch)
                ds *= 2
            }
        }
        inputBlocks = ModuleList(input)
        middleBlock = TimestepBlock([
            .residual(ResBlock(channels: ch, embDim: embDim, groups: groups, random: &random)),
            transformer(ch, &random),
            .residual(ResBlock(channels: ch, embDim: embDim, groups: groups, random: &random)),
        ])
        var output: [TimestepBlock] = []
        for (level, mult) in c.channelMult.enumerated().reversed() {
            for i in 0...c.numResBlocks {
                let skip = skipChannels.removeLast()
                var layers: [UNetLayer] = [.residual(ResBlock(channels: ch + skip, outChannels: c.modelChannels * mult,
                                                               embDim: embDim, groups: groups, random: &random))]
                ch = c.modelChannels * mult
                if c.attentionResolutions.contains(ds) { layers.append(transformer(ch, &random)) }
                if level > 0 && i == c.numResBlocks {
                    layers.append(.upsample(Upsample(channels: ch, random: &random)))
                    ds /= 2
                }
                output.append(TimestepBlock(layers))
            }
        }
        outputBlocks = ModuleList(output)
        let outConv = Conv2d(ch, c.outChannels, kernel: 3, padding: 1, random: &random)
        outConv.weight.value = outConv.weight.value.zerosLike()
        outConv.bias!.value = outConv.bias!.value.zerosLike()
        out = Sequential([GroupNorm(groups: groups, channels: ch, eps: 1e-5), SiLU(), outConv])
    }

    public var children: [(String, any Module)] {
        [("time_embed", timeEmbed), ("input_blocks", inputBlocks), ("middle_block", middleBlock),
         ("output_blocks", outputBlocks), ("out", out)]
    }

    /// eps = UNet(x, t, context): x [B, inChannels, h, w], one timestep per batch item, context
    /// [B, L, contextDim] (L = 1 for zero123; 1 + 77 for CustomNet) -> [B, outChannels, h, w].
    public func forward(_ x: Tensor, timesteps: [Float], context: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == configuration.inChannels,
                     "UNet expects [B, \(configuration.inChannels), h, w], got \(x.shape)")
        precondition(timesteps.count == x.shape[0] && context.shape[0] == x.shape[0],
                     "UNet: \(timesteps.count) timesteps and context \(context.shape) for a batch of \(x.shape[0])")
        let emb = timeEmbed.forward(timesteps)
        var skips: [Tensor] = []
        var h = x
        for block in inputBlocks {
            h = block.forward(h, emb: emb, context: context)
            skips.append(h)
        }
        h = middleBlock.forward(h, emb: emb, context: context)
        var shapes: [[Int]] = []
        for block in outputBlocks {
            let skip = skips.removeLast()
            shapes.append(h.shape)
            h = block.forward(concat([h, skip], axis: 1), emb: emb, context: context)
        }
        if InferenceMode.keepsActivations { skipShapes = shapes }
        return out.forward(h)
    }

    /// Back-propagates dL/d eps through the whole network, accumulating every parameter's
    /// gradient; returns dL/dx and dL/dcontext.
    public func backward(_ dy: Tensor) -> (dx: Tensor, dContext: Tensor) {
        precondition(skipShapes.count == outputBlocks.count, "UNet.backward called before forward")
        var d = out.backward(dy)
        var dEmb: Tensor?, dContext: Tensor?
        var dSkips: [Tensor] = []
        for (index, block) in outputBlocks.enumerated().reversed() {
            let g = block.backward(d)
            if let e = g.dEmb { accumulate(&dEmb, e) }
            if let c = g.dContext { accumulate(&dContext, c) }
            let hChannels = skipShapes[index][1]
            let parts = split(g.dx, sizes: [hChannels, g.dx.shape[1] - hChannels], axis: 1)
            d = parts[0]
            dSkips.append(parts[1])
        }
        skipShapes = []
        let middle = middleBlock.backward(d)
        d = middle.dx
        if let e = middle.dEmb { accumulate(&dEmb, e) }
        if let c = middle.dContext { accumulate(&dContext, c) }
        for block in inputBlocks.reversed() {
            d.addInPlace(dSkips.removeLast())
            let g = block.backward(d)
            d = g.dx
            if let e = g.dEmb { accumulate(&dEmb, e) }
            if let c = g.dContext { accumulate(&dContext, c) }
        }
        if let dEmb { timeEmbed.backward(dEmb) }
        return (d, dContext ?? Tensor(shape: [dy.shape[0], 1, configuration.contextDim]))
    }
}
