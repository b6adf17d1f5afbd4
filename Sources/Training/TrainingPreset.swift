// Follows zero123 `configs/sd-objaverse-finetune-c_concat-256.yaml` (model, data, lightning
// sections) and CustomNet `configs/config_customnet.yaml`; the reference objective is
// ../shared/reference/model.md section 6.
import Foundation
import Diffusion
import Yams

/// What `cn-train` trains: Zero-1-to-3 (`view`: reference + T -> target view) or CustomNet
/// (`customnet`: reference + T + caption + concat image at the box -> target).
public enum TrainingMode: String, Sendable, Codable, CaseIterable {
    case view, customnet
}

/// A model preset (`Pipelines/train/NAME.yaml`): the topology, the first stage and conditioner,
/// and the optimisation defaults. Fields not given keep the values below.
public struct TrainingPreset: Sendable, Equatable {
    /// Where the first stage lives: `identity` (pixel space: the image itself is the "latent",
    /// scale 1) or `vae` (the SD VAE of the `--init` checkpoint, latents x 0.18215).
    public enum FirstStage: String, Sendable, Codable { case identity, vae }
    /// What encodes the reference (and, for CustomNet, the caption): `learned` (a small image
    /// encoder trained with the UNet, and a hashed-word text embedding for CustomNet) or `clip`
    /// (the frozen CLIP towers of the `--init` checkpoint).
    public enum Conditioner: String, Sendable, Codable { case learned, clip }

    /// The preset's name.
    public var name = "custom"
    /// Training image side in pixels (the shards' 256 images are resized to it).
    public var imageSize = 32
    /// The first stage.
    public var firstStage = FirstStage.identity
    /// The conditioner.
    public var conditioner = Conditioner.learned
    /// Widths of the learned image encoder's stride-2 3x3 convolutions.
    public var encoderChannels = [16, 32, 64]
    /// Vocabulary of the learned text stand-in (words are hashed into it).
    public var textVocabulary = 1024
    /// The UNet (ldm `unet_config.params`); in/out channels are set from the first stage.
    public var unet = UNetConfiguration()
    /// Activation checkpointing (`activation_checkpointing`): the UNet keeps only its blocks'
    /// inputs in the forward pass and recomputes each block in the backward pass (same gradients,
    /// about one more forward pass of time, far less activation memory; `CheckpointedUNetPass`).
    public var activationCheckpointing = false

    /// Optimisation defaults (command-line flags override them).
    public var batch = 4, learningRate: Float = 1e-4, warmupSteps = 100, warmupStart: Float = 1e-6
    public var gradientClip: Float = 1.0, weightDecay: Float = 0.01, steps = 200, accumulate = 1
    public var ema: Float = 0, checkpointEvery = 50, logEvery = 1, valEvery = 50, valBatches = 2
    public var sampleEvery = 100, sampleSteps = 20, sampleCount = 4, shuffleBuffer = 64, keepCheckpoints = 3
    /// CustomNet's empty-caption probability (0.15 plain, model.md section 6).
    public var captionDropout = 0.15

    /// The defaults of a custom preset.
    public init() {}

    /// Channels of the diffusion space (3 in pixel space, 4 in the SD VAE's latent space).
    public var latentChannels: Int { firstStage == .identity ? 3 : 4 }
    /// Side of the diffusion space.
    public var latentSize: Int { firstStage == .identity ? imageSize : imageSize / 8 }
    /// The latent scale (ldm `scale_factor`).
    public var scaleFactor: Float { firstStage == .identity ? 1 : 0.18215 }

    /// The UNet configuration for `mode` (8 or 6 input channels: x_t and c_concat; CustomNet's
    /// dual cross-attention).
    public func unetConfiguration(mode: TrainingMode) -> UNetConfiguration {
        var c = unet
        c.inChannels = 2 * latentChannels
        c.outChannels = latentChannels
        c.imageSize = latentSize
        c.dualCrossAttention = mode == .customnet
        return c
    }

    /// Loads `Pipelines/train/NAME.yaml` from `folder` (a name) or a YAML path (contains '/' or ends in .yaml).
    public static func load(nameOrPath: String, folder: String) throws -> (preset: TrainingPreset, yaml: String) {
        let path = nameOrPath.hasSuffix(".yaml") || nameOrPath.contains("/") ? nameOrPath : folder + "/" + nameOrPath + ".yaml"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".yaml") }
                .map { String($0.dropLast(5)) }.sorted().joined(separator: ", ") ?? "none"
            throw TrainingError("no preset \(nameOrPath) (looked for \(path); presets in \(folder): \(known))")
        }
        return (try parse(yaml: text, source: path), text)
    }

    /// Parses preset YAML.
    public static func parse(yaml: String, source: String = "preset") throws -> TrainingPreset {
        do {
            let file = try YAMLDecoder().decode(File.self, from: yaml)
            var p = TrainingPreset()
            p.name = file.preset ?? p.name
            p.imageSize = file.image_size ?? p.imageSize
            p.firstStage = file.first_stage ?? p.firstStage
            p.conditioner = file.conditioner ?? p.conditioner
            p.encoderChannels = file.encoder_channels ?? p.encoderChannels
            p.textVocabulary = file.text_vocabulary ?? p.textVocabulary
            p.activationCheckpointing = file.activation_checkpointing ?? false
            if let u = file.unet { p.unet = u }
            if let t = file.train {
                p.batch = t.batch ?? p.batch
                p.learningRate = t.lr ?? p.learningRate
                p.warmupSteps = t.warmup_steps ?? p.warmupSteps
                p.warmupStart = t.warmup_start ?? p.warmupStart
                p.gradientClip = t.grad_clip ?? p.gradientClip
                p.weightDecay = t.weight_decay ?? p.weightDecay
                p.steps = t.steps ?? p.steps
                p.accumulate = t.accumulate ?? p.accumulate
                p.ema = t.ema ?? p.ema
                p.checkpointEvery = t.checkpoint_every ?? p.checkpointEvery
                p.logEvery = t.log_every ?? p.logEvery
                p.valEvery = t.val_every ?? p.valEvery
                p.valBatches = t.val_batches ?? p.valBatches
                p.sampleEvery = t.sample_every ?? p.sampleEvery
                p.sampleSteps = t.sample_steps ?? p.sampleSteps
                p.sampleCount = t.sample_count ?? p.sampleCount
                p.shuffleBuffer = t.shuffle_buffer ?? p.shuffleBuffer
                p.keepCheckpoints = t.keep_checkpoints ?? p.keepCheckpoints
                p.captionDropout = t.caption_dropout ?? p.captionDropout
            }
            if p.firstStage == .vae && p.imageSize % 8 != 0 { throw TrainingError("\(source): image_size must be a multiple of 8 with the VAE") }
            if p.conditioner == .clip && p.unet.contextDim != 768 { throw TrainingError("\(source): the CLIP conditioner needs unet.context_dim 768") }
            return p
        } catch let error as TrainingError { throw error } catch {
            throw TrainingError("\(source) is not a readable training preset: \(error)")
        }
    }

    // swiftlint:disable identifier_name
    struct File: Decodable {
        var preset: String?
        var image_size: Int?
        var first_stage: FirstStage?
        var conditioner: Conditioner?
        var encoder_channels: [Int]?
        var text_vocabulary: Int?
        var activation_checkpointing: Bool?
        var unet: UNetConfiguration?
        var train: Train?
    }

    struct Train: Decodable {
        var batch: Int?, lr: Float?, warmup_steps: Int?, warmup_start: Float?, grad_clip: Float?, weight_decay: Float?
        var steps: Int?, accumulate: Int?, ema: Float?, checkpoint_every: Int?, log_every: Int?, val_every: Int?
        var val_batches: Int?, sample_every: Int?, sample_steps: Int?, sample_count: Int?, shuffle_buffer: Int?
        var keep_checkpoints: Int?, caption_dropout: Double?
    }
}

/// A training run that cannot go on: one line for the user.
public struct TrainingError: Error, CustomStringConvertible, LocalizedError {
    /// What went wrong and what to do.
    public let message: String
    /// Wraps a message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
