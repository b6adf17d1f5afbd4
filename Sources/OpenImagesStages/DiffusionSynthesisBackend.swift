import Diffusion
import Foundation
import Imaging
import Manifest
import Pipeline
import Support
import Synchronization
import Tensor

/// The `diffusion` backend: zero123's view synthesis with the project's own core
/// (`Sources/Diffusion`), as CustomNet's data pipeline makes its views (Zero-1-to-3-XL, DDIM 50
/// steps, guidance 3.0). The reference is the extraction's ref.png composited over white and
/// resized to the model's resolution when it differs; both views of an item are sampled together
/// (one conditioning, UNet calls of at most `batch` rows, guidance pairs counting two) from x_T
/// drawn from the item's stream after the pose draws: view 0's [1, 4, h, w] then view 1's, in C
/// order, then eta's per-step noise. Each view (the model's resolution) is resized to the canvas.
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
    private let model: SerialModel
    private let sampler: DDIMSampler

    /// Loads the checkpoint named in `config` (a one-line error when it is missing or cannot be loaded).
    public init(config: SynthesizeConfig) throws {
        self.config = config
        guard let checkpoint = config.checkpoint else {
            throw ConfigError(message: "step 'synthesize': backend \(config.backend.rawValue) needs checkpoint:")
        }
        guard FileManager.default.fileExists(atPath: checkpoint) else {
            throw ConfigError(message: "step 'synthesize': checkpoint \(checkpoint) does not exist")
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
        sampler = try DDIMSampler(schedule: schedule, steps: config.steps, eta: config.eta,
                                  spacing: config.spacing == .ldm ? .ldm : .leading)
        provenance = NovelViewProvenance(checkpointSHA256: try Self.fileSHA256(checkpoint), modelConfigHash: configHash,
                                         steps: config.steps, guidance: config.guidance, eta: config.eta,
                                         spacing: config.spacing.rawValue)
        model = SerialModel(loaded)
    }

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
        let reference = try ModelInput.loadRGB(subject.reference, size: imageSize)
        let input = ImageTensor.fromRGB(reference.bytes, width: imageSize, height: imageSize)
        var noise = SeededNoise(random: random)
        let initial = try noise.normal(shape: [deltas.count, latentChannels, latentSize, latentSize])
        let poses = deltas.map { PoseVector(polarDegrees: $0.polarDegrees, azimuthDegrees: $0.azimuthDegrees, radius: $0.radius) }
        let (sampler, guidance, batch, views) = (self.sampler, Float(config.guidance), config.batch, deltas.count)
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
        var provenance = self.provenance
        provenance.seed = String(subject.seed)
        return SynthesizedViews(images: images, backend: name, provenance: provenance)
    }
}

/// The model behind a lock: one call at a time (the model parallelises inside); the model is
/// never handed out, so the lock makes the box safe to share.
private final class SerialModel: @unchecked Sendable {
    private let model: ViewSynthesisModel
    private let lock = Mutex(())

    init(_ model: ViewSynthesisModel) { self.model = model }

    func run<T: Sendable>(_ body: (ViewSynthesisModel) throws -> T) throws -> T {
        try lock.withLock { _ in try body(model) }
    }
}
