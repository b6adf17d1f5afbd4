// Loads a `cn-train` checkpoint for evaluation: the safetensors file's metadata names the mode and
// preset (TrainingCheckpoint's "cn-train/1" layout), the weights are read into a TrainingModel of that
// preset (EMA weights on request, as ldm's `use_ema` sampling does).
import Foundation
import NN
import Tensor
import Training

/// A cn-train checkpoint opened for inference.
public enum TrainedCheckpoint {
    /// Whether `path` is a cn-train checkpoint (safetensors whose metadata says format cn-train/1).
    public static func isTrainingCheckpoint(_ path: String) -> Bool {
        guard path.hasSuffix(".safetensors"), let file = try? SafetensorsFile(path: path) else { return false }
        return file.metadata["format"] == "cn-train/1"
    }

    /// The model of `path` (its preset found in `presetFolder` unless `preset` names one), with
    /// the checkpoint's weights, or its EMA weights for the UNet when `ema` is set.
    public static func load(_ path: String, presetFolder: String, preset presetName: String? = nil, ema: Bool = false) throws -> TrainingModel {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: path) } catch {
            throw EvaluationError(.badInput, "cannot open checkpoint \(path): \(error)")
        }
        guard file.metadata["format"] == "cn-train/1", let modeName = file.metadata["mode"], let mode = TrainingMode(rawValue: modeName) else {
            throw EvaluationError(.badInput, "\(path) is not a cn-train checkpoint (no cn-train/1 metadata with a mode)")
        }
        guard let name = presetName ?? file.metadata["preset"] else {
            throw EvaluationError(.badInput, "\(path) does not name its preset: pass --preset")
        }
        let (preset, _) = try TrainingPreset.load(nameOrPath: name, folder: presetFolder)
        let model = try TrainingModel(preset: preset, mode: mode, seed: 0)
        for (key, parameter) in model.namedParameters() {
            var source = key
            if ema, key.hasPrefix(TrainingModel.unetPrefix + ".") {
                source = TrainingCheckpoint.emaKey(key)
                guard file.shape(of: source) != nil else { throw EvaluationError(.badInput, "\(path) has no EMA weights (\(source)); drop --ema") }
            }
            guard file.shape(of: source) == parameter.value.shape else {
                throw EvaluationError(.badInput, "\(path) does not match preset \(preset.name) at \(source) (pass the preset it was trained with: --preset)")
            }
            parameter.value = try file.tensor(source)
        }
        return model
    }
}
