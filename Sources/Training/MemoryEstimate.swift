// An analytic estimate of training memory for the UNet of ldm `openaimodel.py`: what the
// hand-written backward passes keep from the forward pass (inputs of norms, activations,
// convolutions and linears; attention probabilities), plus weights, gradients, AdamW moments, EMA.
import Foundation
import Diffusion
import NN

/// Bytes a training run needs, estimated before it starts.
public struct MemoryEstimate: Sendable {
    /// Weights of trainable and frozen parts.
    public var trainableParameters: Int, frozenParameters: Int
    /// Bytes: weights, gradients, AdamW moments, EMA copy, cached activations of one micro-batch.
    public var weights: Int, gradients: Int, optimizer: Int, ema: Int, activations: Int
    /// Sum.
    public var total: Int { weights + gradients + optimizer + ema + activations }

    /// The estimate for a model and micro-batch size; with activation checkpointing the UNet
    /// keeps its blocks' inputs plus the largest block's activations (recomputed one at a time).
    public init(model: TrainingModel, batch: Int, emaEnabled: Bool, activationCheckpointing: Bool = false) {
        trainableParameters = model.parameterCount
        frozenParameters = (model.vae?.parameterCount ?? 0) + (model.clipImage?.parameterCount ?? 0) + (model.clipText?.parameterCount ?? 0)
        weights = 4 * (trainableParameters + frozenParameters)
        gradients = 4 * trainableParameters
        optimizer = 8 * trainableParameters
        ema = emaEnabled ? 4 * model.unet.parameterCount : 0
        activations = 4 * batch * MemoryEstimate.unetActivationFloats(model.unet.configuration, contextTokens: model.mode == .customnet ? 78 : 1,
                                                                      checkpointing: activationCheckpointing)
    }

    /// Floats cached per batch item by a UNet forward pass kept for backward: every block's
    /// activations, or with checkpointing the blocks' inputs and the largest block's activations.
    static func unetActivationFloats(_ c: UNetConfiguration, contextTokens: Int, checkpointing: Bool = false) -> Int {
        let (blocks, head) = unetBlockActivations(c, contextTokens: contextTokens)
        guard checkpointing else { return blocks.map(\.cached).reduce(0, +) + head }
        return blocks.map(\.input).reduce(0, +) + (blocks.map(\.cached).max() ?? 0) + head
    }

    /// Per UNet block (input blocks, middle, output blocks): floats of its input and of what its
    /// layers cache for backward; and the output head's (`out`) cached floats.
    static func unetBlockActivations(_ c: UNetConfiguration, contextTokens: Int) -> (blocks: [(input: Int, cached: Int)], head: Int) {
        var blocks: [(input: Int, cached: Int)] = []
        var side = c.imageSize
        func res(_ cin: Int, _ cout: Int, _ hw: Int) -> Int {
            // norm1 in, silu in, conv1 in, norm2 in, silu in, conv2 in, (+ skip conv in), output
            (3 * cin + 4 * cout + (cin != cout ? cin : 0)) * hw
        }
        func attention(_ ch: Int, _ hw: Int) -> Int {
            let (heads, _) = c.numHeadChannels == -1 ? (c.numHeads, ch / c.numHeads) : (ch / c.numHeadChannels, c.numHeadChannels)
            // norm, proj_in, 3 layer norms, q/k/v, attn1 out, q2, ff in, GEGLU in (8C), ff out in (4C), proj_out, residuals
            let perBlock = (3 + 3 + 1 + 1 + 1 + 8 + 4 + 3) * ch * hw + heads * hw * hw + heads * hw * contextTokens * (c.dualCrossAttention ? 2 : 1)
            return 3 * ch * hw + c.transformerDepth * perBlock
        }
        var ch = c.modelChannels
        var skips = [ch]
        blocks.append((c.inChannels * side * side, c.inChannels * side * side + ch * side * side))
        var ds = 1
        for (level, mult) in c.channelMult.enumerated() {
            for _ in 0..<c.numResBlocks {
                let out = mult * c.modelChannels
                var cached = res(ch, out, side * side)
                let input = ch * side * side
                ch = out
                if c.attentionResolutions.contains(ds) { cached += attention(ch, side * side) }
                blocks.append((input, cached))
                skips.append(ch)
            }
            if level != c.channelMult.count - 1 {
                blocks.append((ch * side * side, ch * side * side))
                side /= 2
                ds *= 2
                skips.append(ch)
            }
        }
        blocks.append((ch * side * side, 2 * res(ch, ch, side * side) + attention(ch, side * side)))
        for (level, mult) in c.channelMult.enumerated().reversed() {
            for i in 0...c.numResBlocks {
                let skip = skips.removeLast()
                let out = c.modelChannels * mult
                let input = (ch + skip) * side * side
                var cached = input + res(ch + skip, out, side * side)
                ch = out
                if c.attentionResolutions.contains(ds) { cached += attention(ch, side * side) }
                if level > 0 && i == c.numResBlocks {
                    side *= 2
                    ds /= 2
                    cached += ch * side * side
                }
                blocks.append((input, cached))
            }
        }
        return (blocks, 3 * ch * side * side)
    }

    /// "12.3 MB".
    public static func format(_ bytes: Int) -> String {
        let b = Double(bytes)
        if b >= 1_073_741_824 { return String(format: "%.2f GB", b / 1_073_741_824) }
        if b >= 1_048_576 { return String(format: "%.1f MB", b / 1_048_576) }
        return String(format: "%.0f KB", b / 1024)
    }

    /// The line the trainer prints before it starts.
    public var summary: String {
        "memory estimate: parameters \(trainableParameters) trainable + \(frozenParameters) frozen = \(Self.format(weights)); "
            + "gradients \(Self.format(gradients)); AdamW \(Self.format(optimizer)); EMA \(Self.format(ema)); "
            + "activations \(Self.format(activations)); total \(Self.format(total))"
    }
}
