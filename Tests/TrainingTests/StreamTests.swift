import Shards
import Foundation
import Testing
import NN
import Support
import Tensor
import TestSupport
@testable import Training

struct StreamTests {
    /// The shuffle buffer rebuilt from a data position continues exactly where the stream was.
    @Test func streamRebuiltFromAPositionContinuesTheSameOrder() throws {
        let work = TestPaths.scratchFolder("train-stream")
        try TrainingFixtures.writeCorpus(work, train: 13, val: 0)
        let shards = try ShardSet(folder: work.path + "/shards", split: "train")
        #expect(shards.total == 13)
        let stream = try ShuffledShardStream(shards: shards, seed: 7, bufferSize: 5)
        let order = try (0..<40).map { _ in try stream.next().key }
        // Every epoch is a permutation of the 13 samples, and epochs differ.
        #expect(Set(order[0..<13]).count == 13 && Set(order[13..<26]).count == 13)
        #expect(Array(order[0..<13]) != Array(order[13..<26]))
        for position in [0, 4, 12, 13, 20, 33] {
            let resumed = try ShuffledShardStream(shards: shards, seed: 7, bufferSize: 5, position: position)
            let rest = try (position..<40).map { _ in try resumed.next().key }
            #expect(rest == Array(order[position...]), "position \(position)")
        }
    }

    /// The streaming checkpoint writer produces NN's safetensors bytes.
    @Test func streamingWriterMatchesSafetensorsEncode() throws {
        var random = SeededRandom(seed: 3)
        let tensors = ["b.weight": Tensor.randomNormal(shape: [3, 5], random: &random), "a": Tensor.randomNormal(shape: [7], random: &random),
                       "scalar": Tensor(shape: [1], data: [2])]
        let path = TestPaths.scratchFolder("train-st").path + "/x.safetensors"
        try SafetensorsStream.write(tensors, metadata: ["step": "3", "k": "v\"q"], to: path)
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == Safetensors.encode(tensors, metadata: ["step": "3", "k": "v\"q"]))
    }
}

struct CommandLineTests {
    /// Usage errors exit 2; a run that cannot start exits 1 with one line.
    @Test func exitStatuses() throws {
        let usage = try ChildProcess.run("cn-train", ["view", "--steps", "3"])
        #expect(usage.status == 2, "missing --workdir: \(usage.stderr)")
        let negative = try ChildProcess.run("cn-train", ["view", "--workdir", "/tmp", "--batch", "0"])
        #expect(negative.status == 2)
        let empty = TestPaths.scratchFolder("train-empty")
        let cannot = try ChildProcess.run("cn-train", ["customnet", "--workdir", empty.path, "--preset", "cpu-tiny",
                                                       "--preset-folder", TestPaths.repositoryRoot.appendingPathComponent("Pipelines/train").path])
        #expect(cannot.status == 1)
        #expect(cannot.stderr.split(separator: "\n").count == 1 && cannot.stderr.contains("no training shards"), "\(cannot.stderr)")
        let help = try ChildProcess.run("cn-train", ["view", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--checkpoint-every") && help.stdout.contains("--max-minutes"))
    }
}

struct InitialisationTests {
    /// From a Stable Diffusion-shaped UNet (4-channel conv_in), zero123's 8-channel conv_in keeps
    /// the 4 stored channels and zeroes the concat channels (zero123 main.py).
    @Test func fourChannelConvInIsExpandedWithZeros() throws {
        var preset = try TrainingPreset.parse(yaml: TrainingFixtures.microPreset)
        preset.imageSize = 8
        let model = try TrainingModel(preset: preset, mode: .view, seed: 1)
        var tensors: [String: Tensor] = [:]
        var random = SeededRandom(seed: 2)
        for (name, p) in model.namedParameters() where !name.hasPrefix(TrainingModel.imageStandInPrefix) {
            var shape = p.value.shape
            if name == "model.diffusion_model.input_blocks.0.0.weight" { shape[1] = 3 }
            tensors[name] = Tensor.randomNormal(shape: shape, random: &random)
        }
        let report = try model.initialise(from: TensorDictionary(tensors), vocabulary: nil)
        #expect(report.initialised == ["model.diffusion_model.input_blocks.0.0.weight"])
        let w = model.unet.namedParameters(prefix: "model.diffusion_model").first { $0.0.hasSuffix("input_blocks.0.0.weight") }!.1.value
        let stored = tensors["model.diffusion_model.input_blocks.0.0.weight"]!
        #expect(w.shape == [8, 6, 3, 3])
        #expect(w.data[0..<27] == stored.data[0..<27])
        #expect(w.data[27..<54].allSatisfy { $0 == 0 })
    }
}
