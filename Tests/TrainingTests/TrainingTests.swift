import Pipeline
import Foundation
import Testing
import NN
import Diffusion
import Shards
import Support
import Tensor
import TestSupport
@testable import Training

@Suite(.serialized) struct TrainingTests {
    func options(_ workdir: URL, preset: String, out: URL, steps: Int) -> TrainingOptions {
        var o = TrainingOptions(mode: .view, workdir: workdir.path, preset: preset, presetFolder: workdir.path)
        o.out = out.path
        o.steps = steps
        o.progress = .never
        return o
    }

    /// A CPU preset on a small corpus: the loss of the last steps is below 60% of the first steps'.
    @Test func lossFallsOnASmallCorpus() throws {
        let work = TestPaths.scratchFolder("train-falls")
        try TrainingFixtures.writeCorpus(work, train: 24, val: 8)
        let preset = try TrainingFixtures.writePreset(work)
        let trainer = try Trainer(options: options(work, preset: preset, out: work.appendingPathComponent("run"), steps: 60), print: { _ in })
        _ = try trainer.run()
        let losses = trainer.trainLosses.map(\.1)
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(10).reduce(0, +) / 10
        print("loss: first 5 steps \(first), last 10 steps \(last), fraction \(last / first)")
        #expect(last < 0.6 * first, "loss did not fall enough: first \(first), last \(last)")
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("run/loss.png").path))
        let log = try String(contentsOfFile: work.appendingPathComponent("run/log.jsonl").path, encoding: .utf8)
        #expect(log.split(separator: "\n").count == 60)
        #expect(log.contains("\"val_loss\""))
    }

    /// One batch with fixed draws is memorised: the loss ends below 5% of where it started.
    @Test func oneBatchOverfits() throws {
        let work = TestPaths.scratchFolder("train-overfit")
        try TrainingFixtures.writeCorpus(work, train: 4, val: 0)
        let preset = try TrainingFixtures.writePreset(work, TrainingFixtures.microPreset.replacingOccurrences(of: "grad_clip: 1.0", with: "grad_clip: 0"))
        var o = options(work, preset: preset, out: work.appendingPathComponent("run"), steps: 150)
        o.overfitBatch = true
        let trainer = try Trainer(options: o, print: { _ in })
        _ = try trainer.run()
        let losses = trainer.trainLosses.map(\.1)
        print("overfit: first \(losses.first!), last \(losses.last!), fraction \(losses.last! / losses.first!)")
        #expect(losses.last! < 0.05 * losses.first!, "one batch did not overfit: \(losses.first!) -> \(losses.last!)")
    }

    /// SIGKILL at random moments, then a rerun: the final checkpoint is byte-identical to an
    /// uninterrupted run's (weights, AdamW state, step, data position).
    @Test func killedRunResumesToTheSameBytes() throws {
        let work = TestPaths.scratchFolder("train-kill")
        try TrainingFixtures.writeCorpus(work, train: 24, val: 4)
        let preset = try TrainingFixtures.writePreset(work)
        func arguments(_ out: String) -> [String] {
            ["view", "--workdir", work.path, "--config", preset, "--out", work.appendingPathComponent(out).path,
             "--steps", "30", "--checkpoint-every", "3", "--seed", "4", "--progress", "never"]
        }
        let clock = Date()
        let reference = try ChildProcess.run("cn-train", arguments("reference"))
        #expect(reference.status == 0, "uninterrupted run failed: \(reference.stderr)")
        let runSeconds = Date().timeIntervalSince(clock)
        var random = SeededRandom(seed: UInt64(Date().timeIntervalSince1970))
        var kills = 0
        for _ in 0..<4 {
            let child = try ChildProcess("cn-train", arguments("crashed"))
            Thread.sleep(forTimeInterval: runSeconds * random.uniform(0.15, 0.45))
            guard child.process.isRunning else { child.wait(); break }
            kill(child.process.processIdentifier, SIGKILL)
            child.wait()
            #expect(child.process.terminationReason == .uncaughtSignal)
            kills += 1
        }
        #expect(kills >= 2, "the run finished before it could be killed twice")
        let finish = try ChildProcess.run("cn-train", arguments("crashed"))
        #expect(finish.status == 0, "resumed run failed: \(finish.stderr)")
        #expect(finish.stdout.contains("resuming at step"))
        let a = FileManager.default.contents(atPath: TrainingCheckpoint.path(run: work.appendingPathComponent("reference").path, step: 30))
        let b = FileManager.default.contents(atPath: TrainingCheckpoint.path(run: work.appendingPathComponent("crashed").path, step: 30))
        #expect(a != nil && a == b, "the resumed run's final checkpoint differs from the uninterrupted run's")
        print("kill-resume: \(kills) kills over a \(String(format: "%.1f", runSeconds)) s run; final checkpoints identical: \(a == b)")
    }

    /// One training step equals PyTorch's (diffusers UNet2DConditionModel, torch AdamW) within
    /// 1e-4 relative: zero123 (cc_projection at 10x) and CustomNet (dual cross-attention, text
    /// stand-in, to_k_text / to_v_text at 10x, one caption emptied).
    @Test(arguments: [TrainingMode.view, .customnet]) func oneStepMatchesPyTorch(mode: TrainingMode) throws {
        let python = try Python.interpreter(importing: ["torch", "diffusers", "safetensors", "numpy"])
        let dir = TestPaths.scratchFolder("train-step")
        var preset = try TrainingPreset.parse(yaml: TrainingFixtures.microPreset)
        preset.imageSize = 16
        let model = try TrainingModel(preset: preset, mode: mode, seed: 5)
        var random = SeededRandom(seed: 9)
        for (_, p) in model.namedParameters() { for i in p.value.data.indices { p.value.data[i] += Float(random.normal()) * 0.05 } }
        let b = 4
        func image() -> Tensor {
            var t = Tensor.randomNormal(shape: [3, 16, 16], std: 0.5, random: &random)
            for i in t.data.indices { t.data[i] = max(-1, min(1, t.data[i])) }
            return t
        }
        let samples = (0..<b).map { i -> TrainingSample in
            let ref = image()
            return TrainingSample(key: "\(i)", reference: ref, target: image(), concatImage: mode == .view ? ref : image(),
                                  pose: (0..<4).map { _ in Float(random.normal()) }, caption: ["a red chair", "two dogs on grass", "a cube", "blue car"][i])
        }
        let batch = TrainingBatch(samples)
        var draws = model.draws(seed: 1, step: 0, micro: 0, batch: b)
        draws.dropout = [0.5, 0.02, 0.07, 0.12]   // keep all; drop image; drop both; drop concat
        draws.emptyCaption = mode == .customnet ? [false, false, true, false] : [false, false, false, false]
        func unetDiffusers(_ values: [String: Tensor]) throws -> [String: Tensor] {
            let source = try TransformedSource(TensorDictionary(values),
                transforms: UNetNaming.ldmToDiffusers(model.unet.configuration, ldmPrefix: "model.diffusion_model."))
            var out: [String: Tensor] = [:]
            for key in source.keys { out["unet." + key] = try source.tensor(key) }
            return out
        }
        func export(_ value: (Parameter) -> Tensor) throws -> [String: Tensor] {
            var unet: [String: Tensor] = [:], out: [String: Tensor] = [:]
            for (name, p) in model.namedParameters() {
                if name.hasPrefix("model.diffusion_model.") { unet[name] = value(p) }
                else if name.hasPrefix(TrainingModel.imageStandInPrefix + ".") {
                    out["encoder." + name.dropFirst(TrainingModel.imageStandInPrefix.count + 1)] = value(p)
                } else if name.hasPrefix(TrainingModel.textStandInPrefix + ".") {
                    out["text." + name.dropFirst(TrainingModel.textStandInPrefix.count + 1)] = value(p)
                } else { out[name] = value(p) }
            }
            return out.merging(try unetDiffusers(unet)) { a, _ in a }
        }
        try Safetensors.write(try export(\.value), to: dir.path + "/weights.safetensors")
        let loss = try model.accumulateGradients(batch, draws: draws, lossScale: 1)
        try Safetensors.write(try export(\.grad), to: dir.path + "/grads.safetensors")
        let optimizer = AdamW(groups: model.parameterGroups(weightDecay: 0.01), learningRate: 1e-3, maxGradientNorm: 1.0)
        optimizer.step()
        try Safetensors.write(try export(\.value), to: dir.path + "/after.safetensors")
        func npy(_ name: String, _ values: [Float], _ shape: [Int]) throws {
            try Data(NPY.encode(float32: values, shape: shape)).write(to: dir.appendingPathComponent(name + ".npy"))
        }
        try npy("reference", batch.reference.data, batch.reference.shape)
        try npy("target", batch.target.data, batch.target.shape)
        try npy("pose", batch.pose.data, batch.pose.shape)
        try npy("t", draws.timesteps.map(Float.init), [b])
        try npy("noise", draws.noise.data, draws.noise.shape)
        try npy("keep_image", draws.dropsImage.map { $0 ? 0 : 1 }, [b])
        try npy("keep_concat", draws.dropsConcat.map { $0 ? 0 : 1 }, [b])
        try npy("alphas_cumprod", model.schedule.alphasCumprod, [1000])
        try npy("concat_image", batch.concatImage.data, batch.concatImage.shape)
        if let text = model.textStandIn {
            let ids = zip(batch.captions, draws.emptyCaption).map { text.tokenize($1 ? "" : $0) }
            try npy("text_ids", ids.flatMap { $0.map(Float.init) }, [b, 77])
        }
        try npy("loss", [loss], [1])
        let u = model.unet.configuration
        let settings = """
            {"unet": {"image_size": \(u.imageSize), "in_channels": \(u.inChannels), "out_channels": \(u.outChannels),
             "model_channels": \(u.modelChannels), "channel_mult": \(u.channelMult), "attention_resolutions": \(u.attentionResolutions),
             "num_res_blocks": \(u.numResBlocks), "num_heads": \(u.numHeads), "context_dim": \(u.contextDim), "norm_groups": \(u.normGroups)},
             "mode": "\(mode.rawValue)", "encoder_channels": \(preset.encoderChannels), "lr": 0.001, "cc_multiplier": 10, "weight_decay": 0.01, "max_grad_norm": 1.0}
            """
        try settings.write(to: dir.appendingPathComponent("settings.json"), atomically: true, encoding: .utf8)
        let result = try ProcessRunner.run(python, [TestPaths.repositoryRoot.appendingPathComponent("scripts/interop/train_step_reference.py").path, dir.path])
        let output = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "reference failed: \(result.stderr)")
        print("one step vs PyTorch (\(mode.rawValue)): \(output)")
        let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        #expect((report["loss_rel"] as? Double ?? 1) < 1e-4)
        #expect((report["grad_rel_max"] as? Double ?? 1) < 1e-4, "gradients differ: \(output)")
        #expect((report["zero_grad_swift_max_abs"] as? Double ?? 1) < 1e-12, "gradients that are zero in exact arithmetic are not zero")
        #expect((report["optimizer_rel_max"] as? Double ?? 1) < 1e-4, "clipping + AdamW updates differ: \(output)")
        #expect((report["weight_rel_max"] as? Double ?? 1) < 1e-4, "weights after the step differ: \(output)")
    }

    /// `--init` from a random-weight zero123 .ckpt (ldm layout): every key is loaded; for
    /// customnet the to_k_text / to_v_text keys are reported as initialised (copies of to_k / to_v).
    @Test(arguments: [TrainingMode.view, .customnet]) func initFromARandomZero123Checkpoint(mode: TrainingMode) throws {
        let python = try Python.interpreter(importing: ["torch", "safetensors"])
        let work = TestPaths.scratchFolder("train-init")
        try TrainingFixtures.writeCorpus(work, train: 4, val: 0)
        let preset = try TrainingFixtures.writePreset(work)
        let zero123 = try TrainingModel(preset: try TrainingPreset.parse(yaml: TrainingFixtures.microPreset), mode: .view, seed: 1)
        var names: [String: Tensor] = [:]
        for (name, p) in zero123.namedParameters() where !name.hasPrefix(TrainingModel.imageStandInPrefix) { names[name] = p.value }
        try Safetensors.write(names, to: work.path + "/names.safetensors")
        let ckpt = work.path + "/zero123-random.ckpt"
        let made = try ProcessRunner.run(python, [TestPaths.repositoryRoot.appendingPathComponent("scripts/interop/make_random_ckpt.py").path,
                                                  work.path + "/names.safetensors", ckpt, "3"])
        #expect(made.status == 0, "\(made.stderr)")
        let out = work.appendingPathComponent("run")
        let run = try ChildProcess.run("cn-train", [mode.rawValue, "--workdir", work.path, "--config", preset, "--out", out.path,
                                                    "--steps", "0", "--init", ckpt, "--progress", "never"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(TrainingModel.InitReport.self,
                                              from: Data(contentsOf: out.appendingPathComponent("init-report.json")))
        #expect(Set(report.loaded) == Set(names.keys), "not every checkpoint key was loaded")
        #expect(report.unused.isEmpty)
        if mode == .customnet {
            #expect(!report.initialised.isEmpty && report.initialised.allSatisfy { $0.contains("attn2.to_k_text.") || $0.contains("attn2.to_v_text.") })
        } else {
            #expect(report.initialised.isEmpty)
        }
        // The step-0 checkpoint holds the checkpoint's values (and the copies).
        let saved = try SafetensorsFile(path: TrainingCheckpoint.path(run: out.path, step: 0))
        let source = try CheckpointFile.open(ckpt, ema: false)
        for key in names.keys.sorted().prefix(40) { #expect(try saved.tensor(key) == source.tensor(key), "\(key) not loaded") }
        for key in report.initialised {
            let twin = key.replacingOccurrences(of: "to_k_text", with: "to_k").replacingOccurrences(of: "to_v_text", with: "to_v")
            #expect(try saved.tensor(key) == source.tensor(twin))
        }
        print("init \(mode.rawValue): loaded \(report.loaded.count), initialised \(report.initialised.count), random stand-in \(report.random.count), unused \(report.unused.count)")
    }
}
