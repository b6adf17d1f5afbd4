import Diffusion
import Foundation
import Imaging
import Manifest
import Pipeline
import Support
import Synchronization
import Tensor
import Training

/// The `diffusion` backend: zero123's view synthesis with the project's own core
/// (`Sources/Diffusion`), as CustomNet's data pipeline makes its views (Zero-1-to-3-XL, DDIM 50
/// steps, guidance 3.0). The reference is the extraction's ref.png composited over white and
/// resized to the model's resolution when it differs; both views of an item are sampled together
/// (one conditioning, UNet calls of at most `batch` rows, guidance pairs counting two) from x_T
/// drawn from the item's stream after the pose draws: view 0's [1, 4, h, w] then view 1's, in C
/// order, then eta's per-step noise. Each view (the model's resolution) is resized to the canvas.
///
/// A cn-train checkpoint (file or run folder, any preset) is sampled by `TrainedViewGenerator`
/// instead: the reference at the preset's side, both views in one batch from the seed that is the
/// item stream's next draw after the poses, DDIM with the configured steps, guidance, eta and
/// spacing (`batch` and `model_config` do not apply); the preset YAML's sha256 is recorded as
/// the model config's hash.
///
/// The checkpoint is loaded and hashed once, when the backend is made (before any item is
/// claimed); model calls are serialised (the model parallelises inside).
public final class DiffusionSynthesisBackend: ViewSynthesisBackend {
    public let name = "diffusion"
    public let config: SynthesizeConfig
    /// The model's image side and latent side.
    public let imageSize: Int, latentSize: Int, latentChannels: Int
    /// What every view's row records (the seed is set per item).
    public let provenance: NovelViewProvenance
    private let engine: Engine

    /// What samples the views: a released zero123 / CustomNet model, or a cn-train checkpoint.
    private enum Engine {
        case released(Serial<ViewSynthesisModel>, DDIMSampler)
        case trained(Serial<TrainedViewGenerator>)
    }

    /// Loads the checkpoint named in `config` (a one-line error when it is missing or cannot be loaded).
    public init(config: SynthesizeConfig) throws {
        self.config = config
        guard let checkpoint = config.checkpoint else {
            throw ConfigError(message: "step 'synthesize': backend \(config.backend.rawValue) needs checkpoint:")
        }
        guard FileManager.default.fileExists(atPath: checkpoint) else {
            throw ConfigError(message: "step 'synthesize': checkpoint \(checkpoint) does not exist")
        }
        if TrainedViewGenerator.isTrainingCheckpoint(checkpoint) {
            let generator: TrainedViewGenerator
            do { generator = try TrainedViewGenerator(checkpoint: checkpoint, ema: config.ema) } catch {
                throw ConfigError(message: "step 'synthesize': cannot load cn-train checkpoint \(checkpoint): \(oneLine(error))")
            }
            imageSize = generator.preset.imageSize
            latentSize = generator.preset.latentSize
            latentChannels = generator.preset.latentChannels
            provenance = NovelViewProvenance(checkpointSHA256: try Self.fileSHA256(generator.checkpointPath),
                                             modelConfigHash: SHA256.hex(generator.presetYAML), steps: config.steps,
                                             guidance: config.guidance, eta: config.eta, spacing: config.spacing.rawValue)
            engine = .trained(Serial(generator))
            return
        }
        let configuration: LatentDiffusionConfiguration
        let configHash: String
        do {
            if let path = config.modelConfig {
                configuration = try LatentDiffusionConfiguration(yamlFile: path)
                configHash = SHA256.hex(try FileReading.readAll(path, limit: 1 << 24))
            } else {
                configuration = LatentDiffusionConfiguration()
                configHash = SHA256.hex("zero123-default")
            }
        } catch {
            throw ConfigError(message: "step 'synthesize': cannot read model_config \(config.modelConfig ?? ""): \(oneLine(error))")
        }
        let loaded: ViewSynthesisModel
        do {
            loaded = try ViewSynthesisModel(source: CheckpointFile.open(checkpoint, ema: config.ema), configuration: configuration,
                                            parts: [.unet, .autoencoder, .imageConditioning])
        } catch {
            throw ConfigError(message: "step 'synthesize': cannot load checkpoint \(checkpoint): \(oneLine(error))")
        }
        imageSize = configuration.firstStage.network.resolution
        latentSize = loaded.latentSize(imageSize: imageSize)
        latentChannels = configuration.unet.outChannels
        let schedule = try NoiseSchedule(linearStart: configuration.linearStart, linearEnd: configuration.linearEnd,
                                         timesteps: configuration.timesteps)
        let sampler = try DDIMSampler(schedule: schedule, steps: config.steps, eta: config.eta, spacing: Self.spacing(config))
        provenance = NovelViewProvenance(checkpointSHA256: try Self.fileSHA256(checkpoint), modelConfigHash: configHash,
                                         steps: config.steps, guidance: config.guidance, eta: config.eta,
                                         spacing: config.spacing.rawValue)
        engine = .released(Serial(loaded), sampler)
    }

    static func spacing(_ config: SynthesizeConfig) -> TimestepSpacing { config.spacing == .ldm ? .ldm : .leading }

    /// sha256 of a file, streamed in 4 MiB blocks.
    public static func fileSHA256(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ConfigError(message: "cannot open \(path)") }
        defer { try? handle.close() }
        var hash = SHA256()
        while let block = try handle.read(upToCount: 4 << 20), !block.isEmpty {
            block.withUnsafeBytes { hash.update($0) }
        }
        return hash.finalizeHex()
    }

    public func views(of subject: SynthesisSubject, deltas: [ViewDelta], random: inout SeededRandom) throws -> SynthesizedViews {
        var provenance = self.provenance
        provenance.seed = String(subject.seed)
        switch engine {
        case .released(let model, let sampler):
            let images = try releasedViews(model, sampler, subject: subject, deltas: deltas, random: &random)
            return SynthesizedViews(images: images, backend: name, provenance: provenance)
        case .trained(let generator):
            let images = try trainedViews(generator, subject: subject, deltas: deltas, random: &random)
            return SynthesizedViews(images: images, backend: name, provenance: provenance)
        }
    }

    /// A cn-train model's views: the seed is the item stream's next draw.
    private func trainedViews(_ generator: Serial<TrainedViewGenerator>, subject: SynthesisSubject, deltas: [ViewDelta],
                              random: inout SeededRandom) throws -> [RGBAImage] {
        let reference = try ImageFile.loadRGBA(subject.reference)
        let seed = random.next()
        let poses = deltas.map { PoseVector(polarDegrees: $0.polarDegrees, azimuthDegrees: $0.azimuthDegrees, radius: $0.radius) }
        let (config, spacing) = (self.config, Self.spacing(config))
        return try generator.run { generator in
            try generator.generate(reference: reference, poses: poses, seed: seed, steps: config.steps, guidance: Float(config.guidance),
                                   eta: config.eta, spacing: spacing, outputSize: config.canvas)
        }
    }

    /// A released zero123 / CustomNet model's views (x_T from the item stream, view by view).
    private func releasedViews(_ model: Serial<ViewSynthesisModel>, _ sampler: DDIMSampler, subject: SynthesisSubject,
                               deltas: [ViewDelta], random: inout SeededRandom) throws -> [RGBAImage] {
        let reference = try ModelInput.loadRGB(subject.reference, size: imageSize)
        let input = ImageTensor.fromRGB(reference.bytes, width: imageSize, height: imageSize)
        var noise = SeededNoise(random: random)
        let initial = try noise.normal(shape: [deltas.count, latentChannels, latentSize, latentSize])
        let poses = deltas.map { PoseVector(polarDegrees: $0.polarDegrees, azimuthDegrees: $0.azimuthDegrees, radius: $0.radius) }
        let (guidance, batch, views) = (Float(config.guidance), config.batch, deltas.count)
        let rgb: [[UInt8]] = try model.run { model in
            let conditioning = try model.conditioning(reference: input, poses: poses)
            let result = try model.sample(conditioning: conditioning, sampler: sampler, guidance: guidance, initial: initial,
                                          batch: batch, noise: &noise)
            return (0..<views).map { ImageTensor.toRGB(result.image, index: $0) }
        }
        random = noise.random
        var images: [RGBAImage] = []
        for bytes in rgb {
            let view = ModelInput.opaque(rgb: bytes, width: imageSize, height: imageSize)
            images.append(imageSize == config.canvas ? view : view.resized(width: config.canvas, height: config.canvas, filter: .bicubic))
        }
        return images
    }
}

/// A model behind a lock: one call at a time (the model parallelises inside); the model is
/// never handed out, so the lock makes the box safe to share.
private final class Serial<Model>: @unchecked Sendable {
    private let model: Model
    private let lock = Mutex(())

    init(_ model: Model) { self.model = model }

    func run<T: Sendable>(_ body: (Model) throws -> T) throws -> T {
        try lock.withLock { _ in try body(model) }
    }
}
