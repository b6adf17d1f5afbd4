// Checkpoint layout: ldm names for the weights (`model.diffusion_model.*`, `cc_projection.*`),
// PyTorch's optimizer state names per parameter (`exp_avg`, `exp_avg_sq`), ldm LitEma's naming
// for the EMA (`model_ema.` + the UNet key without `model.` and without dots).
import Foundation
import Support
import Tensor
import NN

/// A training checkpoint: one safetensors file holding the model, the AdamW state named per
/// parameter, the EMA, and in its metadata the step, the data position and the random state
/// (every draw is a function of (seed, step, micro-batch), so the seed and step ARE the state).
public enum TrainingCheckpoint {
    /// `RUN/checkpoints/step-000123.safetensors`.
    public static func path(run: String, step: Int) -> String {
        run + "/checkpoints/step-" + String(format: "%06d", step) + ".safetensors"
    }

    /// Checkpoint steps present in the run folder, ascending.
    public static func steps(run: String) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run + "/checkpoints")) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
            return Int(name.dropFirst(5).dropLast(12))
        }.sorted()
    }

    /// The EMA key ldm's LitEma uses for a `model.*` key.
    public static func emaKey(_ name: String) -> String {
        "model_ema." + name.dropFirst("model.".count).replacingOccurrences(of: ".", with: "")
    }

    /// The resumable state besides the weights.
    public struct State: Sendable, Equatable {
        public var step: Int, dataPosition: Int, seed: UInt64, optimizerSteps: Int, emaUpdates: Int
        public var mode: String, preset: String
        /// The preset's YAML as the run read it (what `TrainedViewGenerator` rebuilds the model from).
        public var presetYAML = ""
    }

    /// Writes a checkpoint atomically (temporary name, fsync, rename); removes all but the newest `keep`.
    public static func save(model: TrainingModel, optimizer: AdamW, ema: ExponentialMovingAverage?, emaNames: [String],
                            state: State, run: String, keep: Int) throws {
        var tensors: [String: Tensor] = [:]
        let named = model.namedParameters()
        for (name, p) in named { tensors[name] = p.value }
        let names = optimizerNames(model: model, optimizer: optimizer)
        for (name, moment) in zip(names, optimizer.moments) {
            let shape = tensors[name]!.shape
            tensors["optimizer.exp_avg." + name] = Tensor(shape: shape, data: moment.expAvg)
            tensors["optimizer.exp_avg_sq." + name] = Tensor(shape: shape, data: moment.expAvgSq)
        }
        if let ema { for (name, value) in zip(emaNames, ema.shadow) { tensors[emaKey(name)] = value } }
        let metadata = [
            "format": "cn-train/1", "step": String(state.step), "data_position": String(state.dataPosition),
            "seed": String(state.seed), "optimizer_steps": String(state.optimizerSteps), "ema_updates": String(state.emaUpdates),
            "mode": state.mode, "preset": state.preset, "preset_yaml": state.presetYAML,
            "random_state": "SeededRandom(runSeed: seed, stage: \"cn-train-step\", item: \"STEP.MICRO\"); data: ShuffledShardStream(seed, data_position)",
        ]
        let path = path(run: run, step: state.step)
        try SafetensorsStream.write(tensors, metadata: metadata, to: path)
        for old in steps(run: run).dropLast(max(1, keep)) { try? FileManager.default.removeItem(atPath: Self.path(run: run, step: old)) }
    }

    /// Names of the optimizer's parameters in `moments` order.
    static func optimizerNames(model: TrainingModel, optimizer: AdamW) -> [String] {
        var byIdentity: [ObjectIdentifier: String] = [:]
        for (name, p) in model.namedParameters() { byIdentity[ObjectIdentifier(p)] = name }
        return optimizer.groups.flatMap(\.parameters).map { byIdentity[ObjectIdentifier($0)]! }
    }

    /// Restores weights, optimizer and EMA from a checkpoint; returns its state.
    public static func load(_ path: String, model: TrainingModel, optimizer: AdamW, ema: ExponentialMovingAverage?,
                            emaNames: [String]) throws -> State {
        let file = try SafetensorsFile(path: path)
        let meta = file.metadata
        guard meta["format"] == "cn-train/1", let step = meta["step"].flatMap(Int.init),
              let position = meta["data_position"].flatMap(Int.init), let seed = meta["seed"].flatMap(UInt64.init),
              let optimizerSteps = meta["optimizer_steps"].flatMap(Int.init) else {
            throw TrainingError("\(path) is not a cn-train checkpoint (no cn-train/1 metadata)")
        }
        for (name, p) in model.namedParameters() {
            guard file.shape(of: name) == p.value.shape else { throw TrainingError("\(path) does not match the model at \(name) (another preset?)") }
            p.value = try file.tensor(name)
        }
        var moments: [(expAvg: [Float], expAvgSq: [Float])] = []
        for name in optimizerNames(model: model, optimizer: optimizer) {
            moments.append((try file.tensor("optimizer.exp_avg." + name).data, try file.tensor("optimizer.exp_avg_sq." + name).data))
        }
        optimizer.restore(stepCount: optimizerSteps, moments: moments)
        let emaUpdates = meta["ema_updates"].flatMap(Int.init) ?? 0
        if let ema {
            let shadow = try emaNames.map { name -> Tensor in
                guard file.shape(of: emaKey(name)) != nil else { throw TrainingError("\(path) has no EMA weights but --ema is on (resume with the same settings)") }
                return try file.tensor(emaKey(name))
            }
            ema.restore(shadow: shadow, updates: emaUpdates)
        }
        return State(step: step, dataPosition: position, seed: seed, optimizerSteps: optimizerSteps, emaUpdates: emaUpdates,
                     mode: meta["mode"] ?? "", preset: meta["preset"] ?? "", presetYAML: meta["preset_yaml"] ?? "")
    }
}
