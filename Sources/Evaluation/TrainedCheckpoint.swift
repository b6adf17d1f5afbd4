// Loads a `cn-train` checkpoint as a TrainingModel for pose-check, which needs the training
// objective (TrainingModel.evaluationLoss), not only sampling: the file's metadata names the mode and
// holds the preset YAML (TrainingCheckpoint's "cn-train/1" layout; older files name the preset, found
// in the preset folder); EMA weights on request, as ldm's `use_ema` does.
import Foundation
import Diffusion
import NN
import Tensor
import Training

/// A cn-train checkpoint opened as its training model.
public enum TrainedCheckpoint {
    /// The model of `path` (a checkpoint file or run folder, as TrainedViewGenerator resolves it);
    /// `preset` (a name in `presetFolder` or a YAML path) overrides the recorded preset; the sd
    /// preset takes its frozen VAE / CLIP from `frozenParts` (the released checkpoint it started from).
    public static func load(_ path: String, presetFolder: String, preset presetName: String? = nil, ema: Bool = false,
                            frozenParts: String? = nil, vocabulary: String? = nil) throws -> TrainingModel {
        let resolved = try TrainedViewGenerator.resolve(path)
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: resolved) } catch {
            throw EvaluationError(.badInput, "cannot open checkpoint \(resolved): \(error)")
        }
        guard file.metadata["format"] == "cn-train/1", let mode = file.metadata["mode"].flatMap(TrainingMode.init(rawValue:)) else {
            throw EvaluationError(.badInput, "\(resolved) is not a cn-train checkpoint (no cn-train/1 metadata with a mode)")
        }
        let preset: TrainingPreset
        if presetName == nil, let yaml = file.metadata["preset_yaml"], !yaml.isEmpty {
            preset = try TrainingPreset.parse(yaml: yaml, source: resolved + " (preset)")
        } else {
            guard let name = presetName ?? file.metadata["preset"] else {
                throw EvaluationError(.badInput, "\(resolved) does not name its preset: pass --preset")
            }
            preset = try TrainingPreset.load(nameOrPath: name, folder: presetFolder).preset
        }
        let model = try TrainingModel(preset: preset, mode: mode, seed: 0)
        for (key, parameter) in model.namedParameters() {
            var source = key
            if ema, key.hasPrefix(TrainingModel.unetPrefix + ".") {
                source = TrainingCheckpoint.emaKey(key)
                guard file.shape(of: source) != nil else { throw EvaluationError(.badInput, "\(resolved) has no EMA weights (\(source)); drop --ema") }
            }
            guard file.shape(of: source) == parameter.value.shape else {
                throw EvaluationError(.badInput, "\(resolved) does not match preset \(preset.name) at \(source) (pass the preset it was trained with: --preset)")
            }
            parameter.value = try file.tensor(source)
        }
        if let missing = model.missingFrozenParts {
            guard let frozenParts else {
                throw EvaluationError(.badInput, "preset \(preset.name) needs \(missing) of the released checkpoint it was trained from: pass --frozen-parts")
            }
            _ = try model.loadFrozenParts(from: try CheckpointFile.open(frozenParts, ema: false), vocabulary: vocabulary)
        }
        return model
    }
}
