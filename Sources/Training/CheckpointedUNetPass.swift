// Activation checkpointing as ldm's `checkpoint(...)` / torch.utils.checkpoint does it for the
// UNet (openaimodel.py `use_checkpoint`): the forward pass keeps only what enters each block, the
// backward pass recomputes one block's activations just before back-propagating through it.
import Diffusion
import NN
import Tensor

/// A training pass through a `UNetModel` with activation checkpointing per block (input blocks,
/// middle block, output blocks): memory holds the blocks' inputs and one block's activations at
/// a time instead of every block's, for one extra forward pass of each block. The recomputed
/// forward is the same arithmetic on the same inputs, so the gradients equal `UNetModel`'s own
/// backward pass bit for bit.
final class CheckpointedUNetPass {
    let unet: UNetModel
    private var saved: Saved?

    /// What the forward pass keeps: block inputs, the embedding, the context.
    private struct Saved {
        var inputBlockInputs: [Tensor], middleInput: Tensor, outputBlockInputs: [Tensor], hiddenChannels: [Int]
        var emb: Tensor, context: Tensor
    }

    init(_ unet: UNetModel) { self.unet = unet }

    /// eps = UNet(x, t, context) as `UNetModel.forward`, keeping only the blocks' inputs.
    func forward(_ x: Tensor, timesteps: [Float], context: Tensor) -> Tensor {
        let emb = unet.timeEmbed.forward(timesteps)
        var inputs: [Tensor] = [], skips: [Tensor] = []
        var h = x
        for block in unet.inputBlocks {
            inputs.append(h)
            h = InferenceMode.run { [h] in block.forward(h, emb: emb, context: context) }
            skips.append(h)
        }
        let middleInput = h
        h = InferenceMode.run { [h] in unet.middleBlock.forward(h, emb: emb, context: context) }
        var outputInputs: [Tensor] = [], channels: [Int] = []
        for block in unet.outputBlocks {
            let input = concat([h, skips.removeLast()], axis: 1)
            outputInputs.append(input)
            channels.append(h.shape[1])
            h = InferenceMode.run { block.forward(input, emb: emb, context: context) }
        }
        saved = Saved(inputBlockInputs: inputs, middleInput: middleInput, outputBlockInputs: outputInputs,
                      hiddenChannels: channels, emb: emb, context: context)
        return unet.out.forward(h)
    }

    /// Back-propagates as `UNetModel.backward`, recomputing each block's activations first.
    func backward(_ dy: Tensor) -> (dx: Tensor, dContext: Tensor) {
        guard let s = saved else { preconditionFailure("CheckpointedUNetPass.backward called before forward") }
        saved = nil
        var d = unet.out.backward(dy)
        var dEmb: Tensor?, dContext: Tensor?
        func through(_ block: TimestepBlock, input: Tensor, _ d: Tensor) -> Tensor {
            _ = block.forward(input, emb: s.emb, context: s.context)
            let g = block.backward(d)
            if let e = g.dEmb { add(&dEmb, e) }
            if let c = g.dContext { add(&dContext, c) }
            return g.dx
        }
        var dSkips: [Tensor] = []
        for index in unet.outputBlocks.indices.reversed() {
            let dInput = through(unet.outputBlocks[index], input: s.outputBlockInputs[index], d)
            let parts = split(dInput, sizes: [s.hiddenChannels[index], dInput.shape[1] - s.hiddenChannels[index]], axis: 1)
            d = parts[0]
            dSkips.append(parts[1])
        }
        d = through(unet.middleBlock, input: s.middleInput, d)
        for index in unet.inputBlocks.indices.reversed() {
            d.addInPlace(dSkips.removeLast())
            d = through(unet.inputBlocks[index], input: s.inputBlockInputs[index], d)
        }
        if let dEmb { unet.timeEmbed.backward(dEmb) }
        return (d, dContext ?? Tensor(shape: [dy.shape[0], 1, unet.configuration.contextDim]))
    }

    private func add(_ sum: inout Tensor?, _ value: Tensor) {
        if sum == nil { sum = value } else { sum!.addInPlace(value) }
    }
}
