// Generation for `views` with a released zero123 checkpoint (.ckpt / .safetensors / diffusers
// folder): cn-synthesize's diffusion backend (Diffusion's ViewSynthesisModel, ldm DDIM, zero123's
// guidance; the reference resized as Pillow does) at the model's resolution, x_T from a stream seeded
// by (run seed, item id).
import Foundation
import Diffusion
import Imaging
import OpenImagesStages
import Support

/// Makes views with a released zero123 checkpoint.
public struct ReleasedViewSampling: ViewGenerating {
    /// The backend holding the model.
    public let backend: DiffusionSynthesisBackend
    /// DDIM settings (`seed` is the run seed every item's stream derives from).
    public let sampler: SamplerSettings

    /// Loads `checkpoint` (with zero123's ldm YAML `modelConfig` when given; EMA weights with `ema`).
    public init(checkpoint: String, modelConfig: String?, ema: Bool, sampler: SamplerSettings) throws {
        var config = SynthesizeConfig()
        config.backend = .diffusion
        config.checkpoint = checkpoint
        config.modelConfig = modelConfig
        config.ema = ema
        config.steps = sampler.steps
        config.guidance = sampler.guidanceScale
        config.eta = sampler.eta
        config.batch = 2
        let probe = try DiffusionSynthesisBackend(config: config)
        if probe.imageSize != config.canvas {
            config.canvas = probe.imageSize
            backend = try DiffusionSynthesisBackend(config: config)
        } else {
            backend = probe
        }
        self.sampler = sampler
    }

    /// The model's image side.
    public var size: Int { backend.imageSize }

    /// Released CustomNet checkpoints are not sampled here (cn-model sample --prompt, then compare).
    public var isCustomNet: Bool { false }

    /// The view of item `id` (the reference is read from `referencePath`, as the backend reads it).
    public func generate(id: String, referencePath: String, reference: RGBAImage, pose: [Float], concat: RGBAImage?, caption: String) throws -> MetricImage {
        let vector = TrainedViewSampling.poseVector(pose)
        var random = SeededRandom(runSeed: sampler.seed, stage: "cn-eval-sample", item: id)
        let subject = SynthesisSubject(objectID: id, reference: referencePath, mesh: nil)
        let views = try backend.views(of: subject, deltas: [ViewDelta(polarDegrees: vector.polarDegrees, azimuthDegrees: vector.azimuthDegrees,
                                                                      radius: vector.radius)], random: &random)
        return MetricImage(rgba: views.images[0])
    }
}
