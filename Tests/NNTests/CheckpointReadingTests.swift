import Foundation
import Testing
import Support
import TestSupport
import NN
import Tensor

/// Reading `torch.save` archives: every value equals torch's own float32 conversion bit for bit.
@Suite("Checkpoint reading") struct CheckpointReadingTests {
    /// Compares every expected tensor of `group` with what `source` serves.
    func expectTorchValues(_ source: any TensorSource, group: String, skipping: Set<String> = []) throws {
        for (key, expected) in try CheckpointFixtures.expected(group) where !skipping.contains(key) {
            let value = try source.tensor(key)
            #expect(value.shape == expected.tensor.shape, "\(key): shape \(value.shape) vs torch \(expected.tensor.shape)")
            #expect(source.shape(of: key) == expected.tensor.shape, "\(key): shape(of:) before reading")
            #expect(CheckpointFixtures.bits(value) == CheckpointFixtures.bits(expected.tensor), "\(key) (\(expected.dtype)) differs from torch")
        }
    }

    @Test func plainStateDictMatchesTorchForEveryDType() throws {
        let checkpoint = try TorchCheckpoint(path: CheckpointFixtures.path("plain.pt"), integers: .asFloat)
        #expect(checkpoint.stateDictPath == "")
        #expect(checkpoint.keys == checkpoint.keys.sorted() && checkpoint.keys.count == 12)
        try expectTorchValues(checkpoint, group: "plain")
        #expect(checkpoint.reference("base.transposed")?.strides == [1, 5])
        #expect(checkpoint.reference("base.transposed")?.storageKey == checkpoint.reference("base.weight")?.storageKey)
        #expect(checkpoint.reference("param")?.isParameter == true)
        #expect(checkpoint.reference("half")?.dtype == .float16 && checkpoint.reference("brain")?.dtype == .bfloat16)
    }

    @Test func integerTensorsAreSkippedByDefault() throws {
        let checkpoint = try TorchCheckpoint(path: CheckpointFixtures.path("plain.pt"))
        #expect(checkpoint.skippedIntegerKeys == ["flags", "long"])
        #expect(!checkpoint.keys.contains("long") && checkpoint.keys.count == 10)
        #expect(checkpoint.shape(of: "long") == nil)
        #expect(throws: TensorError.self) { try checkpoint.tensor("long") }
    }

    @Test func pickleProtocol4AndAModuleStateDictRead() throws {
        try expectTorchValues(TorchCheckpoint(path: CheckpointFixtures.path("plain_p4.pt"), integers: .asFloat), group: "plain")
        let module = try TorchCheckpoint(path: CheckpointFixtures.path("module.bin"))
        #expect(module.keys == ["0.bias", "0.weight", "1.bias", "1.running_mean", "1.running_var", "1.weight"])
        #expect(module.skippedIntegerKeys == ["1.num_batches_tracked"])
        try expectTorchValues(module, group: "module", skipping: ["1.num_batches_tracked"])
        // The OrderedDict's _metadata arrives through BUILD as an attribute, not as an entry.
        let root = try #require(module.archive.root.dictionary)
        #expect(root.attributes.first?.key == .string("_metadata"))
    }

    @Test func lightningCheckpointExposesItsStructure() throws {
        let checkpoint = try TorchCheckpoint(path: CheckpointFixtures.path("lightning.ckpt"))
        #expect(checkpoint.stateDictPath == "state_dict")
        #expect(checkpoint.skippedIntegerKeys == ["model_ema.num_updates"])
        try expectTorchValues(checkpoint, group: "lightning", skipping: ["model_ema.num_updates"])
        let root = try #require(checkpoint.archive.root.dictionary)
        #expect(root["global_step"] == .int(105000) && root["epoch"] == .int(3))
        #expect(root["pytorch-lightning_version"] == .string("1.4.2"))
        #expect(root["device"] == .device("cuda:0") && root["ratio"] == .float(-0.5) && root["blob"] == .bytes([0, 1]))
        #expect(root["big"] == .bigInt([0, 0, 0, 0, 0, 0, 0, 0, 0x40]))
        let callbacks = try #require(root["callbacks"]?.dictionary)
        #expect(callbacks.entries.first?.key == .global("pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint"))
        let group = try #require(root["optimizer_states"]?.elements?.first?.dictionary?["param_groups"]?.elements?.first?.dictionary)
        #expect(group["betas"] == .tuple([.float(0.9), .float(0.999)]) && group["amsgrad"] == .bool(false))
        // Optimizer tensors are not state-dict keys, but readable by path.
        let paths = checkpoint.archive.tensorPaths
        let expAvg = try #require(paths.first { $0.path == "optimizer_states.0.state.0.exp_avg" })
        let expected = try #require(CheckpointFixtures.expected("lightning-opt")["optimizer_states.0.state.0.exp_avg"])
        #expect(try checkpoint.archive.tensor(expAvg.reference) == expected.tensor)
        #expect(!checkpoint.keys.contains { $0.hasPrefix("optimizer") })
    }

    @Test func emaWeightsReplaceTheModelsOwn() throws {
        let checkpoint = try TorchCheckpoint(path: CheckpointFixtures.path("lightning.ckpt"))
        let ema = try EMAWeights(checkpoint)
        #expect(!ema.keys.contains { $0.hasPrefix("model_ema.") })
        #expect(ema.keys.contains("first_stage_model.decoder.conv_in.weight") && ema.keys.contains("cc_projection.weight"))
        #expect(ema.withoutEMA.isEmpty)
        for (key, emaKey) in [("model.diffusion_model.input_blocks.0.0.weight", "model_ema.diffusion_modelinput_blocks00weight"),
                              ("model.diffusion_model.input_blocks.0.0.bias", "model_ema.diffusion_modelinput_blocks00bias"),
                              ("model.diffusion_model.out.2.weight", "model_ema.diffusion_modelout2weight")] {
            #expect(ema.storedKey(for: key) == emaKey)
            #expect(try ema.tensor(key) == checkpoint.tensor(emaKey))
            #expect(try ema.tensor(key) != checkpoint.tensor(key))
            #expect(ema.shape(of: key) == checkpoint.shape(of: key))
        }
        #expect(try ema.tensor("cc_projection.weight") == checkpoint.tensor("cc_projection.weight"))
        do {
            _ = try EMAWeights(TorchCheckpoint(path: CheckpointFixtures.path("plain.pt")))
            Issue.record("a checkpoint without model_ema.* was accepted")
        } catch let error as TensorError {
            #expect(error.kind == "no-ema" && !error.message.contains("\n"))
        }
    }

    @Test func safetensorsAndCkptOfTheSameWeightsAgree() throws {
        let ckpt = try TorchCheckpoint(path: CheckpointFixtures.path("same.ckpt"))
        let st = try SafetensorsFile(path: CheckpointFixtures.path("same.safetensors"))
        #expect(ckpt.keys == st.keys && st.keys == ["a.bias", "a.weight", "b.weight"])
        for key in st.keys {
            #expect(st.shape(of: key) == ckpt.shape(of: key))
            #expect(CheckpointFixtures.bits(try st.tensor(key)) == CheckpointFixtures.bits(try ckpt.tensor(key)), "\(key)")
        }
        #expect(st.dtype(of: "a.bias") == "BF16")
        // The eager API still reads the same file.
        let eager = try Safetensors.read(CheckpointFixtures.path("same.safetensors"))
        #expect(try eager.tensors["b.weight"] == st.tensor("b.weight"))
    }

    @Test func combinedSourcePrefixesAndRefusesCollisions() throws {
        let st = try SafetensorsFile(path: CheckpointFixtures.path("same.safetensors"))
        let ckpt = try TorchCheckpoint(path: CheckpointFixtures.path("same.ckpt"))
        let both = try CombinedSource([st, ckpt], prefixes: ["unet.", "vae."])
        #expect(both.keys.count == 6 && both.keys.first == "unet.a.bias")
        #expect(both.shape(of: "vae.a.weight") == [7, 3])
        #expect(try both.tensor("vae.b.weight") == ckpt.tensor("b.weight"))
        #expect(throws: TensorError.self) { try CombinedSource([st, ckpt]) }
    }

    @Test func craftedArchiveWithAnotherPrefixAndColumnMajorView() throws {
        let checkpoint = try TorchCheckpoint(path: CheckpointFixtures.path("crafted-ok.pt"))
        #expect(checkpoint.archive.prefix == "weird_prefix")
        #expect(try checkpoint.tensor("w") == Tensor(shape: [2, 2], data: [1, 3, 2, 4]))
    }

    @Test func loadsIntoAModuleThroughTheSource() throws {
        var random = SeededRandom(seed: 3)
        let layer = Linear(3, 2, random: &random)
        let source = try TorchCheckpoint(path: CheckpointFixtures.path("module.bin"))
        _ = try layer.load(from: source, prefix: "0", strict: false)
        #expect(layer.weight.value == (try source.tensor("0.weight")))
    }
}
