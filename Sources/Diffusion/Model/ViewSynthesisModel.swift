// Follows zero123 `gradio_new.py` (main_run / sample_model) and `ldm/models/diffusion/ddpm.py`;
// CustomNet `main/app.py` for the text and location conditioning.
import Foundation
import Support
import Tensor
import NN

/// The view-synthesis core: Zero-1-to-3 or CustomNet loaded from one checkpoint, part by part.
/// Each part is optional so a command loads only what it uses.
public final class ViewSynthesisModel {
    /// The ldm configuration the parts were built from.
    public let configuration: LatentDiffusionConfiguration
    /// zero123, CustomNet or CustomNet inpainting (from the checkpoint's keys).
    public let variant: ModelVariant
    /// `model.diffusion_model.*`.
    public private(set) var unet: UNetModel?
    /// `first_stage_model.*`.
    public private(set) var autoencoder: AutoencoderKL?
    /// `cond_stage_model.model.visual.*`.
    public private(set) var imageEncoder: CLIPVisionTransformer?
    /// `cc_projection.*`.
    public private(set) var projection: CCProjection?
    /// CustomNet's `text_encoder.transformer.*` and the tokenizer feeding it.
    public private(set) var textEncoder: CLIPTextTransformer?, tokenizer: CLIPTokenizer?

    /// The parts a command can ask for.
    public struct Parts: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// The UNet.
        public static let unet = Parts(rawValue: 1)
        /// The VAE.
        public static let autoencoder = Parts(rawValue: 2)
        /// The CLIP image tower and cc_projection.
        public static let imageConditioning = Parts(rawValue: 4)
        /// CustomNet's CLIP text tower (and the tokenizer).
        public static let textConditioning = Parts(rawValue: 8)
        /// What sampling needs.
        public static let sampling: Parts = [.unet, .autoencoder, .imageConditioning, .textConditioning]
    }

    /// Where each part's keys start in an ldm checkpoint.
    public enum Prefix {
        /// The UNet.
        public static let unet = "model.diffusion_model"
        /// The VAE.
        public static let autoencoder = "first_stage_model"
        /// The CLIP vision tower.
        public static let imageEncoder = "cond_stage_model.model.visual"
        /// Zero-1-to-3's projection.
        public static let projection = "cc_projection"
        /// CustomNet's text encoder.
        public static let textEncoder = "text_encoder.transformer"
    }

    /// Builds and loads `parts` from `source` (ldm naming). The variant follows from the keys;
    /// a part the checkpoint lacks is an error naming it; `vocabulary` is the CLIP BPE file
    /// CustomNet's text conditioning needs.
    public init(source: any TensorSource, configuration: LatentDiffusionConfiguration = .init(), parts: Parts,
                vocabulary: String? = nil) throws {
        var configuration = configuration
        let variant = ModelVariant.detect(in: source, unetPrefix: Prefix.unet + ".") ?? .zero123
        configuration.unet.dualCrossAttention = variant.hasTextAttention
        if let convIn = source.shape(of: Prefix.unet + ".input_blocks.0.0.weight") { configuration.unet.inChannels = convIn[1] }
        self.configuration = configuration
        self.variant = variant
        if parts.contains(.unet) {
            try Self.require(source, Prefix.unet + ".input_blocks.0.0.weight", part: "UNet")
            var random = SeededRandom(seed: 0)
            let unet = Initialization.placeholders { UNetModel(configuration.unet, random: &random) }
            try unet.load(from: source, prefix: Prefix.unet)
            self.unet = unet
        }
        if parts.contains(.autoencoder) {
            try Self.require(source, Prefix.autoencoder + ".decoder.conv_in.weight", part: "VAE (first stage)")
            let vae = try Initialization.placeholders { try AutoencoderKL(configuration.firstStage) }
            try vae.loadCheckpoint(source)
            autoencoder = vae
        }
        if parts.contains(.imageConditioning) {
            imageEncoder = try CLIPVisionTransformer.load(from: source, prefix: Prefix.imageEncoder)
            try Self.require(source, Prefix.projection + ".weight", part: "cc_projection")
            var random = SeededRandom(seed: 0)
            let projection = CCProjection(embedding: imageEncoder!.configuration.embedDim, random: &random)
            try projection.load(from: source, prefix: Prefix.projection)
            self.projection = projection
        }
        if parts.contains(.textConditioning) && variant.hasTextAttention {
            textEncoder = try CLIPTextTransformer.load(from: source, prefix: Prefix.textEncoder)
            guard let vocabulary else {
                throw ModelError(.missingWeights, "CustomNet's text conditioning needs the CLIP BPE vocabulary: pass --vocab "
                                 + "bpe_simple_vocab_16e6.txt.gz (or a folder with vocab.json and merges.txt)")
            }
            tokenizer = try CLIPTokenizer(vocabularyFile: vocabulary)
        }
    }

    static func require(_ source: any TensorSource, _ key: String, part: String) throws {
        guard source.shape(of: key) != nil else {
            throw ModelError(.missingPart, "the checkpoint has no \(part) weights (no \(key))")
        }
    }

    /// Latent side for `imageSize` pixels.
    public func latentSize(imageSize: Int) -> Int { imageSize / (autoencoder?.downsamplingFactor ?? 8) }

    /// zero123's conditioning for a reference image [1, 3, S, S] in [-1, 1] and a view change;
    /// CustomNet adds `prompt` (nil: the empty prompt) and takes `concatImage` (the reference
    /// pasted at the target box on white) for c_concat when given.
    public func conditioning(reference: Tensor, pose: PoseVector, prompt: String? = nil,
                             concatImage: Tensor? = nil) throws -> ViewConditioning {
        try conditioning(reference: reference, poses: [pose], prompt: prompt, concatImage: concatImage)
    }

    /// The conditioning of several views of one reference [1, 3, S, S], stacked on the batch axis
    /// (one row per pose): the CLIP embedding and the VAE latent are computed once.
    public func conditioning(reference: Tensor, poses: [PoseVector], prompt: String? = nil,
                             concatImage: Tensor? = nil) throws -> ViewConditioning {
        guard let imageEncoder, let projection, let autoencoder else {
            throw ModelError(.missingPart, "conditioning needs the CLIP image tower, cc_projection and the VAE")
        }
        guard reference.rank == 4, reference.shape[0] == 1, !poses.isEmpty else {
            throw ModelError(.badInput, "conditioning takes one reference [1, 3, S, S] and at least one pose, got \(reference.shape)")
        }
        if variant == .customnetInpaint {
            throw ModelError(.badInput, "sampling the inpainting variant needs a background image, which this sampler does not take yet")
        }
        let views = poses.count
        let embedding = try imageEncoder.encode(image: reference)
        let embeddings = concat([Tensor](repeating: embedding, count: views), axis: 0)
        let poseRows = Tensor(shape: [views, 4], data: poses.flatMap(\.values))
        var token = InferenceMode.run { projection.project(embedding: embeddings, pose: poseRows) }
        var unconditionalToken = token.zerosLike()
        if variant.hasTextAttention {
            token = concat([token, try encodeText(prompt ?? "", batch: views)], axis: 1)
            unconditionalToken = concat([unconditionalToken, try encodeText("", batch: views)], axis: 1)
        }
        let latent = try autoencoder.encode(concatImage ?? reference).mode()
        let latents = concat([Tensor](repeating: latent, count: views), axis: 0)
        return ViewConditioning(concatLatent: latents, context: token, unconditionalConcatLatent: latents.zerosLike(),
                                unconditionalContext: unconditionalToken)
    }

    /// CLIP text tokens [batch, 77, width] of `text` (CustomNet's FrozenCLIPEmbedder).
    func encodeText(_ text: String, batch: Int) throws -> Tensor {
        guard let textEncoder, let tokenizer else {
            throw ModelError(.missingPart, "CustomNet's text conditioning needs the text encoder and the vocabulary")
        }
        let ids = tokenizer.tokenize(text, contextLength: textEncoder.configuration.maxPositions)
        let hidden = try textEncoder.encode(tokens: [ids])
        return concat([Tensor](repeating: hidden, count: batch), axis: 0)
    }

    /// Guided eps for x [V, 4, h, w] at timestep t: UNet calls over [unconditional ; conditional]
    /// rows (the conditional rows alone when guidance is 1), at most `batch` rows per call (a
    /// guidance pair counts two); the same `batch` always gives the same bytes.
    public func epsilon(_ x: Tensor, timestep: Int, conditioning: ViewConditioning, guidance: Float,
                        batch: Int = .max) throws -> Tensor {
        guard let unet else { throw ModelError(.missingPart, "sampling needs the UNet") }
        let guided = guidance != 1
        let views = x.shape[0], perCall = max(1, guided ? batch / 2 : batch)
        var parts: [Tensor] = []
        var start = 0
        while start < views {
            let count = min(perCall, views - start)
            let rows = conditioning.rows(start..<(start + count))
            let (input, context) = rows.unetInputs(slice(x, start..<(start + count)), guided: guided)
            let timesteps = [Float](repeating: Float(timestep), count: input.shape[0])
            let eps = InferenceMode.run { unet.forward(input, timesteps: timesteps, context: context) }
            parts.append(guided ? try ClassifierFreeGuidance.combine(batched: eps, scale: guidance) : eps)
            start += count
        }
        return parts.count == 1 ? parts[0] : concat(parts, axis: 0)
    }

    /// Samples latents with DDIM from `initial` (x_T, one row per view of `conditioning`), then
    /// decodes them: returns the images [V, 3, S, S] in [-1, 1] and the final (scaled) latents.
    public func sample(conditioning: ViewConditioning, sampler: DDIMSampler, guidance: Float, initial: Tensor,
                       batch: Int = .max, noise: inout some NoiseSource,
                       progress: ((SamplingProgress) -> Void)? = nil) throws -> (image: Tensor, latent: Tensor) {
        guard let autoencoder else { throw ModelError(.missingPart, "sampling needs the VAE") }
        let latent = try sampler.sample(from: initial, noise: &noise, progress: progress) { x, t in
            try epsilon(x, timestep: t, conditioning: conditioning, guidance: guidance, batch: batch)
        }
        var unscaled = latent
        unscaled.scaleInPlace(1 / configuration.scaleFactor)
        return (try autoencoder.decode(unscaled), latent)
    }
}
