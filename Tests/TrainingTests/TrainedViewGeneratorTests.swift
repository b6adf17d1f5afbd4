import Diffusion
import Foundation
import Imaging
import NN
import Pipeline
import Shards
import Tensor
import Testing
import TestSupport
@testable import Training

/// `TrainedViewGenerator`: views from a checkpoint a few steps old, of the asked size, the same
/// bytes for the same seed, and the same views as the trainer's own sampler.
@Suite(.serialized) struct TrainedViewGeneratorTests {
    /// Trains the micro preset `steps` steps in `mode`; returns the run folder.
    static func train(_ label: String, mode: TrainingMode, steps: Int = 3) throws -> URL {
        let work = TestPaths.scratchFolder(label)
        try TrainingFixtures.writeCorpus(work, train: 8, val: 4)
        let preset = try TrainingFixtures.writePreset(work)
        var o = TrainingOptions(mode: mode, workdir: work.path, preset: preset, presetFolder: work.path)
        o.out = work.appendingPathComponent("run").path
        o.steps = steps
        o.progress = .never
        _ = try Trainer(options: o, print: { _ in }).run()
        return work.appendingPathComponent("run")
    }

    /// A non-square reference with an object on a transparent background.
    static func reference() -> RGBAImage {
        var image = RGBAImage(width: 40, height: 30)
        image.fill(PixelRect(x: 12, y: 8, width: 14, height: 12), with: RGBA8(200, 40, 30))
        return image
    }

    @Test func viewsHaveTheAskedSizeAndRepeatForASeed() throws {
        let run = try Self.train("gen-view", mode: .view)
        let generator = try TrainedViewGenerator(checkpoint: run.path)
        #expect(generator.mode == .view && generator.preset.name == "test-micro" && generator.step == 3)
        let poses = [PoseVector(polarDegrees: 10, azimuthDegrees: 30, radius: 0), PoseVector(polarDegrees: -10, azimuthDegrees: -30, radius: 0)]
        let a = try generator.generate(reference: Self.reference(), poses: poses, seed: 7, steps: 4, outputSize: 48)
        let b = try generator.generate(reference: Self.reference(), poses: poses, seed: 7, steps: 4, outputSize: 48)
        let c = try generator.generate(reference: Self.reference(), poses: poses, seed: 8, steps: 4, outputSize: 48)
        #expect(a.count == 2 && a.allSatisfy { $0.width == 48 && $0.height == 48 })
        #expect(a.map(\.pixels) == b.map(\.pixels), "the same seed gave different views")
        #expect(a.map(\.pixels) != c.map(\.pixels), "another seed gave the same views")
        let file = try TrainedViewGenerator(checkpoint: TrainingCheckpoint.path(run: run.path, step: 3))
        let single = try file.generate(reference: Self.reference(), pose: poses[0], seed: 7, steps: 4, outputSize: 8)
        #expect(single.width == 8 && single.height == 8)
    }

    /// At the preset's own size the generator's view is the trainer's sample of the same input.
    @Test func matchesTheTrainersSampler() throws {
        let run = try Self.train("gen-same", mode: .view)
        let generator = try TrainedViewGenerator(checkpoint: run.path)
        let pose = PoseVector(polarDegrees: 5, azimuthDegrees: 90, radius: 0)
        let view = try generator.generate(reference: Self.reference(), pose: pose, seed: 3, steps: 5, outputSize: 8)
        let input = generator.input(Self.reference())
        let batch = TrainingBatch([TrainingSample(key: "k", reference: input, target: input, concatImage: input, pose: pose.values, caption: "")])
        let direct = try generator.model.sample(batch, steps: 5, guidance: 3, seed: 3)
        #expect(view.pixels == ModelInput.opaque(rgb: ImageTensor.toRGB(direct), width: 8, height: 8).pixels)
    }

    @Test func customNetUsesCaptionAndBox() throws {
        let run = try Self.train("gen-customnet", mode: .customnet)
        let generator = try TrainedViewGenerator(checkpoint: run.appendingPathComponent("checkpoints").path)
        #expect(generator.mode == .customnet)
        let pose = PoseVector(polarDegrees: 0, azimuthDegrees: 45, radius: 0)
        let boxed = try generator.generate(reference: Self.reference(), pose: pose, seed: 1, steps: 4, outputSize: 32,
                                           caption: "a red box on a table", box: PixelBox(x: 2, y: 2, width: 12, height: 12))
        let again = try generator.generate(reference: Self.reference(), pose: pose, seed: 1, steps: 4, outputSize: 32,
                                           caption: "a red box on a table", box: PixelBox(x: 2, y: 2, width: 12, height: 12))
        let moved = try generator.generate(reference: Self.reference(), pose: pose, seed: 1, steps: 4, outputSize: 32,
                                           caption: "a red box on a table", box: PixelBox(x: 16, y: 16, width: 12, height: 12))
        #expect(boxed.width == 32 && boxed.pixels == again.pixels)
        #expect(boxed.pixels != moved.pixels, "the box did not change the view")
    }

    @Test func refusesWhatIsNotATrainingCheckpoint() throws {
        let folder = TestPaths.scratchFolder("gen-refuse")
        let path = folder.appendingPathComponent("plain.safetensors").path
        try Safetensors.write(["w": Tensor(shape: [2], data: [1, 2])], to: path)
        #expect(!TrainedViewGenerator.isTrainingCheckpoint(path))
        #expect(throws: TrainingError.self) { try TrainedViewGenerator(checkpoint: path) }
        #expect(throws: TrainingError.self) { try TrainedViewGenerator(checkpoint: folder.appendingPathComponent("none").path) }
    }
}
