import Diffusion
import Foundation
import NN
import Support
import Tensor
import Testing
import TestSupport
@testable import Training

/// Activation checkpointing recomputes the UNet's blocks in the backward pass: the gradients of
/// every parameter equal those of the plain pass, and the memory estimate drops.
@Suite struct ActivationCheckpointingTests {
    /// The micro preset at 16 px with three levels and attention at two resolutions.
    static func preset(checkpointing: Bool) throws -> TrainingPreset {
        var preset = try TrainingPreset.parse(yaml: TrainingFixtures.microPreset)
        preset.imageSize = 16
        preset.unet.channelMult = [1, 2, 2]
        preset.unet.attentionResolutions = [2, 4]
        preset.activationCheckpointing = checkpointing
        return preset
    }

    /// Gradients after one micro-batch (dropout draws chosen to cover every branch).
    static func gradients(_ mode: TrainingMode, checkpointing: Bool) throws -> (loss: Float, grads: [String: [Float]]) {
        let model = try TrainingModel(preset: try preset(checkpointing: checkpointing), mode: mode, seed: 3)
        var random = SeededRandom(seed: 11)
        for (_, p) in model.namedParameters() { for i in p.value.data.indices { p.value.data[i] += Float(random.normal()) * 0.05 } }
        let samples = (0..<3).map { i in
            TrainingSample(key: "\(i)", reference: Tensor.randomNormal(shape: [3, 16, 16], std: 0.5, random: &random),
                           target: Tensor.randomNormal(shape: [3, 16, 16], std: 0.5, random: &random),
                           concatImage: Tensor.randomNormal(shape: [3, 16, 16], std: 0.5, random: &random),
                           pose: (0..<4).map { _ in Float(random.normal()) }, caption: ["a red chair", "two dogs", "a cube"][i])
        }
        var draws = model.draws(seed: 2, step: 0, micro: 0, batch: 3)
        draws.dropout = [0.5, 0.02, 0.12]
        let loss = try model.accumulateGradients(TrainingBatch(samples), draws: draws, lossScale: 0.5)
        var grads: [String: [Float]] = [:]
        for (name, p) in model.namedParameters() { grads[name] = p.grad.data }
        return (loss, grads)
    }

    @Test(arguments: [TrainingMode.view, .customnet]) func gradientsEqualThePlainPass(mode: TrainingMode) throws {
        let plain = try Self.gradients(mode, checkpointing: false)
        let checkpointed = try Self.gradients(mode, checkpointing: true)
        #expect(plain.loss == checkpointed.loss)
        #expect(plain.grads.keys.sorted() == checkpointed.grads.keys.sorted())
        var worst: Float = 0, worstName = ""
        for (name, a) in plain.grads {
            let b = checkpointed.grads[name] ?? []
            #expect(a.count == b.count, "\(name)")
            let norm = max(a.map { $0 * $0 }.reduce(0, +).squareRoot(), 1e-30)
            let difference = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() / norm
            if difference > worst { (worst, worstName) = (difference, name) }
        }
        print("activation checkpointing (\(mode)): largest relative gradient difference \(worst) at \(worstName)")
        #expect(worst <= 1e-6, "gradients differ by \(worst) (relative L2) at \(worstName)")
        #expect(plain.grads.values.contains { $0.contains { $0 != 0 } }, "no gradient at all")
    }

    @Test func estimateKeepsBlockInputsAndOneBlock() throws {
        let model = try TrainingModel(preset: try Self.preset(checkpointing: false), mode: .view, seed: 1)
        let c = model.unet.configuration
        let (blocks, head) = MemoryEstimate.unetBlockActivations(c, contextTokens: 1)
        #expect(blocks.count == model.unet.inputBlocks.count + 1 + model.unet.outputBlocks.count)
        let plain = MemoryEstimate.unetActivationFloats(c, contextTokens: 1)
        let checkpointed = MemoryEstimate.unetActivationFloats(c, contextTokens: 1, checkpointing: true)
        #expect(plain == blocks.map(\.cached).reduce(0, +) + head)
        #expect(checkpointed == blocks.map(\.input).reduce(0, +) + blocks.map(\.cached).max()! + head)
        #expect(checkpointed < plain)
        let a = MemoryEstimate(model: model, batch: 2, emaEnabled: false)
        let b = MemoryEstimate(model: model, batch: 2, emaEnabled: false, activationCheckpointing: true)
        #expect(b.activations < a.activations && b.weights == a.weights)
    }
}
