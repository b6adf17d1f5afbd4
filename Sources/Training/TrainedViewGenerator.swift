// Novel views from a cn-train checkpoint, sampled exactly as the trainer's sample grids are
// (`TrainingModel.sample`: zero123 `gradio_new.py` sample_model's classifier-free guidance with a
// zero image token and zero c_concat as the null, ldm DDIM). Inputs follow zero123's framing:
// RGBA over white, the object centred on a square canvas, [-1, 1].
import Foundation
import Diffusion
import Imaging
import NN
import Shards
import Support
import Tensor

/// A cn-train checkpoint (any preset, `view` or `customnet`) loaded for inference: given a
/// reference image of any size and view changes T, it returns the generated views at the asked
/// size, deterministic for a seed. What cn-synthesize's diffusion backend and cn-eval use to
/// make views with a model trained here. Not thread-safe: one call at a time.
public final class TrainedViewGenerator {
    /// Zero-1-to-3 (`view`) or CustomNet (`customnet`), from the checkpoint's metadata.
    public let mode: TrainingMode
    /// The preset the checkpoint was trained with (from its metadata, or the run's run.yaml).
    public let preset: TrainingPreset
    /// The preset YAML the model was rebuilt from (hashed into provenance records).
    public let presetYAML: String
    /// The checkpoint file that was loaded (a run folder resolves to its newest checkpoint).
    public let checkpointPath: String
    /// The optimizer step the checkpoint was written at.
    public let step: Int
    /// Whether the UNet weights are the checkpoint's EMA (`model_ema.*`).
    public let usesEMA: Bool
    let model: TrainingModel

    /// Loads a checkpoint file `RUN/checkpoints/step-N.safetensors`, or the newest checkpoint of a
    /// run folder (or of its `checkpoints` folder). `ema` takes the UNet from the EMA weights
    /// (an error when the run kept none). The `sd` preset's frozen VAE and CLIP towers are not in
    /// training checkpoints: pass the released checkpoint the run was started from as
    /// `frozenParts` (and the CLIP BPE `vocabulary` for customnet).
    public init(checkpoint: String, ema: Bool = false, frozenParts: String? = nil, vocabulary: String? = nil) throws {
        let path = try Self.resolve(checkpoint)
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: path) } catch {
            throw TrainingError("cannot read the checkpoint \(path): \(error)")
        }
        guard file.metadata["format"] == "cn-train/1" else {
            throw TrainingError("\(path) is not a cn-train checkpoint (no cn-train/1 metadata)")
        }
        guard let mode = file.metadata["mode"].flatMap(TrainingMode.init(rawValue:)) else {
            throw TrainingError("\(path) records no training mode (view or customnet)")
        }
        let yaml = try Self.presetYAML(file: file, path: path)
        let preset = try TrainingPreset.parse(yaml: yaml, source: path + " (preset)")
        let model = try Initialization.placeholders { try TrainingModel(preset: preset, mode: mode, seed: 0) }
        for (name, p) in model.namedParameters() {
            var key = name
            if ema && name.hasPrefix(TrainingModel.unetPrefix + ".") {
                key = TrainingCheckpoint.emaKey(name)
                guard file.shape(of: key) != nil else { throw TrainingError("\(path) holds no EMA weights (the run trained with ema 0)") }
            }
            guard file.shape(of: key) == p.value.shape else {
                throw TrainingError("\(path) does not match preset \(preset.name) at \(key)")
            }
            p.value = try file.tensor(key)
        }
        if let missing = model.missingFrozenParts {
            guard let frozenParts else {
                throw TrainingError("preset \(preset.name) samples with \(missing) of the released checkpoint it was trained from: pass it (frozenParts / --init)")
            }
            let source = try CheckpointFile.open(frozenParts, ema: false)
            try model.loadFrozenParts(from: source, vocabulary: vocabulary)
        }
        self.mode = mode
        self.preset = preset
        presetYAML = yaml
        checkpointPath = path
        step = file.metadata["step"].flatMap(Int.init) ?? 0
        usesEMA = ema
        self.model = model
    }

    /// Whether `path` is a cn-train checkpoint file or run folder (false for released
    /// zero123 / CustomNet checkpoints and anything unreadable).
    public static func isTrainingCheckpoint(_ path: String) -> Bool {
        guard let file = try? resolve(path), file.hasSuffix(".safetensors"),
              let header = try? SafetensorsFile(path: file) else { return false }
        return header.metadata["format"] == "cn-train/1"
    }

    /// The checkpoint file behind `path`: itself, or the newest `step-N.safetensors` of a run
    /// folder or checkpoints folder.
    public static func resolve(_ path: String) throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TrainingError("checkpoint \(path) does not exist")
        }
        guard isFolder.boolValue else { return path }
        let run = (path as NSString).lastPathComponent == "checkpoints" ? (path as NSString).deletingLastPathComponent : path
        if let last = TrainingCheckpoint.steps(run: run).last { return TrainingCheckpoint.path(run: run, step: last) }
        throw TrainingError("\(path) holds no cn-train checkpoint (expected checkpoints/step-NNNNNN.safetensors)")
    }

    /// The preset YAML: the checkpoint's `preset_yaml` metadata, else the run folder's run.yaml
    /// (checkpoints written before the metadata existed).
    static func presetYAML(file: SafetensorsFile, path: String) throws -> String {
        if let yaml = file.metadata["preset_yaml"], !yaml.isEmpty { return yaml }
        let run = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        guard let text = try? String(contentsOfFile: run + "/run.yaml", encoding: .utf8) else {
            throw TrainingError("\(path) records no preset and \(run)/run.yaml is missing")
        }
        // run.yaml: seven identity lines (mode .. preset), then the preset YAML as read.
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(Trainer.runIdentityLines).joined(separator: "\n")
    }

    /// The model's input for an image: over white, padded to a centred square on white (zero123's
    /// framing), resized to the preset's side as the trainer resizes the shards' images.
    func input(_ image: RGBAImage) -> Tensor {
        var flat = image.composited(over: .white)
        if flat.width != flat.height {
            let side = max(flat.width, flat.height)
            var square = RGBAImage(width: side, height: side, fill: .white)
            square.composite(flat, atX: (side - flat.width) / 2, y: (side - flat.height) / 2)
            flat = square
        }
        let size = preset.imageSize
        return TrainingSample.tensor(flat.width == size && flat.height == size ? flat : flat.resized(width: size, height: size))
    }

    /// The concat image CustomNet conditions on: `reference` pasted at `box` (pixels of a
    /// `targetWidth` x `targetHeight` target) on white, as cn-shard builds `concat.png`.
    public static func concatImage(reference: RGBAImage, box: PixelBox, targetWidth: Int, targetHeight: Int) throws -> RGBAImage {
        try ConcatBuilder.build(reference: reference.composited(over: .white), bbox: box, imageWidth: targetWidth, imageHeight: targetHeight)
    }

    /// Views of `reference` at each of `poses` (sampled together in one batch), each `outputSize`
    /// pixels square (bicubic from the preset's side).
    /// - Parameters:
    ///   - reference: the input view, any size, straight alpha (composited over white).
    ///   - poses: view changes (Δpolar, Δazimuth in degrees, Δradius) as zero123's T.
    ///   - seed: x_T is `SeededNoise(seed:)`'s first draw: same seed, same bytes.
    ///   - steps: DDIM steps (ldm spacing: N steps = N-1 updates); `eta` and `spacing` as DDIMSampler.
    ///   - guidance: classifier-free guidance scale (zero123: 3).
    ///   - caption, box, concatImage: CustomNet only. The concat image is `concatImage` when given,
    ///     else the reference pasted at `box` (pixels of the `outputSize` square target), else the reference.
    /// - Returns: one opaque image per pose.
    public func generate(reference: RGBAImage, poses: [PoseVector], seed: UInt64, steps: Int = 50, guidance: Float = 3,
                         eta: Double = 0, spacing: TimestepSpacing = .ldm, outputSize: Int = 256, caption: String = "",
                         box: PixelBox? = nil, concatImage: RGBAImage? = nil) throws -> [RGBAImage] {
        guard !poses.isEmpty else { return [] }
        guard outputSize > 0, steps >= 1 else { throw TrainingError("generate: outputSize and steps must be positive") }
        let ref = input(reference)
        var concat = ref
        if mode == .customnet {
            if let concatImage {
                concat = input(concatImage)
            } else if let box {
                concat = input(try Self.concatImage(reference: reference, box: box, targetWidth: outputSize, targetHeight: outputSize))
            }
        }
        let batch = TrainingBatch(poses.enumerated().map { i, pose in
            TrainingSample(key: "view-\(i)", reference: ref, target: ref, concatImage: concat, pose: pose.values,
                           caption: mode == .customnet ? caption : "")
        })
        let images = try model.sample(batch, steps: steps, guidance: guidance, seed: seed, eta: eta, spacing: spacing)
        let side = preset.imageSize
        return (0..<poses.count).map { i in
            let view = ModelInput.opaque(rgb: ImageTensor.toRGB(images, index: i), width: side, height: side)
            return side == outputSize ? view : view.resized(width: outputSize, height: outputSize, filter: .bicubic)
        }
    }

    /// One view of `reference` at `pose` (see `generate(reference:poses:...)`).
    public func generate(reference: RGBAImage, pose: PoseVector, seed: UInt64, steps: Int = 50, guidance: Float = 3,
                         outputSize: Int = 256, caption: String = "", box: PixelBox? = nil,
                         concatImage: RGBAImage? = nil) throws -> RGBAImage {
        try generate(reference: reference, poses: [pose], seed: seed, steps: steps, guidance: guidance, outputSize: outputSize,
                     caption: caption, box: box, concatImage: concatImage)[0]
    }
}
