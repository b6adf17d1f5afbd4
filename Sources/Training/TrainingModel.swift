// Follows zero123 `ldm/models/diffusion/ddpm.py` (LatentDiffusion: get_input with the
// classifier-free dropout, shared_step / p_losses, configure_optimizers with cc_projection at
// 10x) and CustomNet's training code (empty caption at 15%, to_k_text / to_v_text at 10x);
// ../shared/reference/model.md sections 4 and 6.
import Foundation
import Support
import Tensor
import NN
import Diffusion

/// The trainable network and its frozen helpers. Children are named as in ldm checkpoints:
/// `model.diffusion_model.*` (UNet), `cc_projection.*`, and for the CPU presets the learned
/// stand-ins `cond_stage_model.stand_in.*` (image) and `text_encoder.stand_in.*` (text).
/// Frozen parts (VAE, CLIP towers) are not children: they are neither saved nor optimised.
public final class TrainingModel: Module {
    /// Zero-1-to-3 or CustomNet.
    public let mode: TrainingMode
    /// The preset it was built from.
    public let preset: TrainingPreset
    /// The denoiser.
    public let unet: UNetModel
    /// Linear(width + 4, width) over [image embedding ; T].
    public let projection: CCProjection
    /// The learned image encoder (CPU presets).
    public let imageStandIn: SmallImageEncoder?
    /// The learned text stand-in (CPU presets, CustomNet).
    public let textStandIn: TextStandIn?
    /// Frozen CLIP towers and tokenizer (sd preset).
    public private(set) var clipImage: CLIPVisionTransformer?, clipText: CLIPTextTransformer?, tokenizer: CLIPTokenizer?
    /// The frozen VAE (sd preset).
    public private(set) var vae: AutoencoderKL?
    /// The training noise schedule.
    public let schedule: NoiseSchedule

    /// Random-weight model of `preset` for `mode` (weights drawn from `seed`).
    public init(preset: TrainingPreset, mode: TrainingMode, seed: UInt64) throws {
        self.preset = preset
        self.mode = mode
        var random = SeededRandom(runSeed: seed, stage: "cn-train-init", item: "model")
        let config = preset.unetConfiguration(mode: mode)
        unet = UNetModel(config, random: &random)
        let width = preset.conditioner == .clip ? 768 : config.contextDim
        projection = CCProjection(embedding: width, random: &random)
        if preset.conditioner == .learned {
            imageStandIn = SmallImageEncoder(channels: preset.encoderChannels, width: width, random: &random)
            textStandIn = mode == .customnet ? TextStandIn(vocabulary: preset.textVocabulary, width: config.contextDim, random: &random) : nil
        } else {
            imageStandIn = nil
            textStandIn = nil
        }
        schedule = try NoiseSchedule()
    }

    public var children: [(String, any Module)] {
        var list: [(String, any Module)] = [(Self.unetPrefix, unet), (Self.projectionPrefix, projection)]
        if let imageStandIn { list.append((Self.imageStandInPrefix, imageStandIn)) }
        if let textStandIn { list.append((Self.textStandInPrefix, textStandIn)) }
        return list
    }

    /// Key prefixes.
    public static let unetPrefix = "model.diffusion_model", projectionPrefix = "cc_projection"
    public static let imageStandInPrefix = "cond_stage_model.stand_in", textStandInPrefix = "text_encoder.stand_in"

    /// Parameter groups of the reference: `view` trains cc_projection at 10x, `customnet` its
    /// to_k_text / to_v_text at 10x; everything else at the base rate.
    public func parameterGroups(weightDecay: Float) -> [ParameterGroup] {
        let rules: [(fragment: String, multiplier: Float)] = mode == .view
            ? [(Self.projectionPrefix + ".", 10)] : [("to_k_text", 10), ("to_v_text", 10)]
        return ParameterGroup.partition(namedParameters(), rules: rules, weightDecay: weightDecay)
    }

    // MARK: - Initialisation from a released checkpoint

    /// What `--init` did.
    public struct InitReport: Codable, Sendable {
        /// Checkpoint keys read into the model or its frozen parts.
        public var loaded: [String] = []
        /// Model keys the checkpoint lacked that were initialised by rule (CustomNet's
        /// to_k_text / to_v_text from to_k / to_v), with the rule.
        public var initialised: [String] = []
        /// How `initialised` keys were made.
        public var rule = ""
        /// Model keys left at their random initialisation (stand-ins absent from a released checkpoint).
        public var random: [String] = []
        /// Checkpoint keys nothing read.
        public var unused: [String] = []
    }

    /// Loads a released zero123 / CustomNet checkpoint (ldm layout; `.ckpt` or `.safetensors`):
    /// the UNet (every key; a CustomNet model from a zero123 checkpoint gets every attn2's
    /// `to_k_text` / `to_v_text` as COPIES of that attn2's `to_k` / `to_v`, so training starts
    /// from zero123's behaviour with the text branch attending like the image branch), cc_projection,
    /// and for the sd preset the frozen VAE and CLIP towers. Any other mismatch is an error.
    public func initialise(from source: any TensorSource, vocabulary: String?) throws -> InitReport {
        var report = InitReport()
        let keys = Set(source.keys)
        let own = namedParameters()
        var filled = Set<String>()
        for (name, p) in own {
            guard let shape = source.shape(of: name) else { continue }
            if name == Self.unetPrefix + ".input_blocks.0.0.weight", shape.count == 4, p.value.shape.count == 4,
               shape[0] == p.value.shape[0], shape[1] < p.value.shape[1], Array(shape[2...]) == Array(p.value.shape[2...]) {
                // zero123 main.py: starting from Stable Diffusion's 4-channel conv_in, the extra
                // input channels (c_concat) get zero weights.
                let stored = try source.tensor(name)
                var expanded = p.value.zerosLike()
                let kk = shape[2] * shape[3], inNew = p.value.shape[1]
                for o in 0..<shape[0] {
                    for i in 0..<shape[1] {
                        for k in 0..<kk { expanded.data[(o * inNew + i) * kk + k] = stored.data[(o * shape[1] + i) * kk + k] }
                    }
                }
                p.value = expanded
                filled.insert(name)
                report.loaded.append(name)
                report.initialised.append(name)
                report.rule += (report.rule.isEmpty ? "" : "; ") + "\(name): input channels \(shape[1])..<\(inNew) zeroed (zero123 main.py)"
                continue
            }
            guard shape == p.value.shape else {
                throw TrainingError("--init: \(name) is \(shape) in the checkpoint but \(p.value.shape) in the model (wrong preset for this checkpoint?)")
            }
            p.value = try source.tensor(name)
            filled.insert(name)
            report.loaded.append(name)
        }
        for (name, p) in own where !filled.contains(name) {
            if name.hasPrefix(Self.unetPrefix + "."), name.contains("attn2.to_k_text.") || name.contains("attn2.to_v_text.") {
                let twin = name.replacingOccurrences(of: "to_k_text.", with: "to_k.").replacingOccurrences(of: "to_v_text.", with: "to_v.")
                guard filled.contains(twin), let value = own.first(where: { $0.0 == twin })?.1.value else {
                    throw TrainingError("--init: the checkpoint lacks \(twin), needed to initialise \(name)")
                }
                p.value = value
                report.initialised.append(name)
            } else if name.hasPrefix(Self.imageStandInPrefix + ".") || name.hasPrefix(Self.textStandInPrefix + ".") {
                report.random.append(name)
            } else {
                throw TrainingError("--init: the checkpoint has no \(name) (is it a \(mode == .view ? "zero123" : "zero123 or CustomNet") checkpoint of this preset's topology?)")
            }
        }
        if report.initialised.contains(where: { $0.contains("_text.") }) {
            report.rule += (report.rule.isEmpty ? "" : "; ") + "to_k_text / to_v_text: copy of the same attn2's to_k / to_v"
        }
        let used = filled.union(try loadFrozenParts(from: source, vocabulary: vocabulary))
        report.loaded = report.loaded.sorted()
        report.unused = keys.subtracting(used).filter { !$0.hasPrefix("model_ema.") }.sorted()
        return report
    }

    /// Loads the frozen parts the preset uses (the sd preset's VAE and CLIP towers, CLIP's
    /// tokenizer for customnet) from a released checkpoint; returns the checkpoint keys read.
    @discardableResult
    public func loadFrozenParts(from source: any TensorSource, vocabulary: String?) throws -> Set<String> {
        let keys = source.keys
        var used = Set<String>()
        if preset.firstStage == .vae {
            let vae = try AutoencoderKL(.zero123)
            try vae.loadCheckpoint(source)
            self.vae = vae
            used.formUnion(keys.filter { $0.hasPrefix("first_stage_model.") })
        }
        if preset.conditioner == .clip {
            clipImage = try CLIPVisionTransformer.load(from: source, prefix: ViewSynthesisModel.Prefix.imageEncoder)
            used.formUnion(keys.filter { $0.hasPrefix(ViewSynthesisModel.Prefix.imageEncoder + ".") })
            if mode == .customnet {
                guard source.shape(of: ViewSynthesisModel.Prefix.textEncoder + ".text_model.embeddings.token_embedding.weight") != nil else {
                    throw TrainingError("--init: customnet with the CLIP conditioner needs CLIP's text encoder (text_encoder.transformer.*) in the checkpoint")
                }
                clipText = try CLIPTextTransformer.load(from: source, prefix: ViewSynthesisModel.Prefix.textEncoder)
                used.formUnion(keys.filter { $0.hasPrefix(ViewSynthesisModel.Prefix.textEncoder + ".") })
                guard let vocabulary else { throw TrainingError("customnet with CLIP text needs --vocab bpe_simple_vocab_16e6.txt.gz") }
                tokenizer = try CLIPTokenizer(vocabularyFile: vocabulary)
            }
        }
        return used
    }

    /// The sd preset needs its frozen parts from `--init`.
    public var missingFrozenParts: String? {
        if preset.firstStage == .vae && vae == nil { return "the VAE" }
        if preset.conditioner == .clip && clipImage == nil { return "CLIP's image tower" }
        return nil
    }

    // MARK: - The objective

    /// The random draws of one micro-batch: all functions of (seed, step, micro-batch).
    public struct Draws: Sendable {
        /// Timesteps t ~ U{0..999}.
        public var timesteps: [Int]
        /// r ~ U[0, 1) of the classifier-free dropout.
        public var dropout: [Double]
        /// Whether CustomNet's caption is replaced by "" (p = preset.captionDropout).
        public var emptyCaption: [Bool]
        /// eps ~ N(0, 1) in the diffusion space.
        public var noise: Tensor
        /// The VAE posterior's standard normal draw (sd preset).
        public var posteriorNoise: Tensor?

        /// r < 0.10: the image embedding is zeroed before cc_projection.
        public var dropsImage: [Bool] { dropout.map { $0 < 0.10 } }
        /// 0.05 <= r < 0.15: c_concat is zeroed.
        public var dropsConcat: [Bool] { dropout.map { $0 >= 0.05 && $0 < 0.15 } }
    }

    /// The draws of micro-batch `micro` of `step`: in this order, t for each item, r for each
    /// item, the caption coin for each item, the posterior noise (VAE only), then eps.
    public func draws(seed: UInt64, step: Int, micro: Int, batch: Int) -> Draws {
        var random = SeededRandom(runSeed: seed, stage: "cn-train-step", item: "\(step).\(micro)")
        let t = (0..<batch).map { _ in random.integer(below: schedule.timesteps) }
        let r = (0..<batch).map { _ in random.unitDouble() }
        let caption = (0..<batch).map { _ in random.unitDouble() < preset.captionDropout }
        let shape = [batch, preset.latentChannels, preset.latentSize, preset.latentSize]
        let posterior = preset.firstStage == .vae ? Tensor.randomNormal(shape: shape, random: &random) : nil
        let noise = Tensor.randomNormal(shape: shape, random: &random)
        return Draws(timesteps: t, dropout: r, emptyCaption: mode == .customnet ? caption : [Bool](repeating: false, count: batch),
                     noise: noise, posteriorNoise: posterior)
    }

    /// Everything a step fed the UNet (for the PyTorch comparison and debugging).
    public struct StepRecord {
        public var x0: Tensor, concatLatent: Tensor, unetInput: Tensor, context: Tensor, tokenInput: Tensor
        public var prediction: Tensor
    }

    /// x0 (scaled latent) and c_concat (posterior mean, unscaled) of a batch.
    func latents(_ batch: TrainingBatch, posteriorNoise: Tensor?) throws -> (x0: Tensor, concat: Tensor) {
        let concatSource = mode == .view ? batch.reference : batch.concatImage
        guard preset.firstStage == .vae else { return (batch.target, concatSource) }
        guard let vae else { throw TrainingError("the sd preset needs the VAE from --init") }
        let target = try InferenceMode.run { try vae.encode(batch.target) }
        var x0 = posteriorNoise.map { target.sample(noise: $0) } ?? target.mode()
        x0.scaleInPlace(preset.scaleFactor)
        let concat = try InferenceMode.run { try vae.encode(concatSource).mode() }
        return (x0, concat)
    }

    /// The image embedding [B, width] of the references.
    func imageEmbedding(_ reference: Tensor) throws -> Tensor {
        if let imageStandIn { return imageStandIn.forward(reference) }
        guard let clipImage else { throw TrainingError("the CLIP conditioner needs CLIP's image tower from --init") }
        return try clipImage.encode(image: reference)
    }

    /// Text tokens [B, 77, width] of captions.
    func textTokens(_ captions: [String]) throws -> Tensor {
        if let textStandIn { return textStandIn.forward(captions) }
        guard let clipText, let tokenizer else { throw TrainingError("customnet needs CLIP's text encoder and --vocab") }
        return try clipText.encode(tokens: captions.map { tokenizer.tokenize($0, contextLength: clipText.configuration.maxPositions) })
    }

    /// Builds the context: cc_projection([embedding * keep ; T]) (+ text tokens for CustomNet).
    func context(embedding: Tensor, pose: Tensor, captions: [String]) throws -> (context: Tensor, tokenInput: Tensor) {
        let b = pose.shape[0], w = embedding.count / b
        let tokenInput = concat([embedding.reshaped([b, 1, w]), pose.reshaped([b, 1, 4])], axis: 2)
        let token = projection.forward(tokenInput)
        guard mode == .customnet else { return (token, tokenInput) }
        return (concat([token, try textTokens(captions)], axis: 1), tokenInput)
    }

    static func maskRows(_ t: inout Tensor, _ drop: [Bool]) {
        let per = t.count / drop.count
        for (i, d) in drop.enumerated() where d {
            for j in 0..<per { t.data[i * per + j] = 0 }
        }
    }

    /// x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, per item.
    func noised(_ x0: Tensor, noise: Tensor, timesteps: [Int]) -> Tensor {
        var x = x0
        let per = x.count / timesteps.count
        for (i, t) in timesteps.enumerated() {
            let a = schedule.alphasCumprod[t]
            let sa = a.squareRoot(), sb = (1 - a).squareRoot()
            for j in 0..<per { x.data[i * per + j] = sa * x0.data[i * per + j] + sb * noise.data[i * per + j] }
        }
        return x
    }

    /// One micro-batch of the objective: forward, MSE(eps_hat, eps), and backward with the loss
    /// scaled by `lossScale` (1 / accumulation steps) into every trainable parameter's gradient.
    /// Returns the unscaled loss.
    @discardableResult
    public func accumulateGradients(_ batch: TrainingBatch, draws: Draws, lossScale: Float,
                                    record: ((StepRecord) -> Void)? = nil) throws -> Float {
        let (x0, concatLatent) = try latents(batch, posteriorNoise: draws.posteriorNoise)
        var embedding = try imageEmbedding(batch.reference)
        let dropImage = draws.dropsImage
        Self.maskRows(&embedding, dropImage)
        let captions = zip(batch.captions, draws.emptyCaption).map { $1 ? "" : $0 }
        let (context, tokenInput) = try self.context(embedding: embedding, pose: batch.pose, captions: captions)
        var c = concatLatent
        Self.maskRows(&c, draws.dropsConcat)
        let input = concat([noised(x0, noise: draws.noise, timesteps: draws.timesteps), c], axis: 1)
        let prediction = unet.forward(input, timesteps: draws.timesteps.map(Float.init), context: context)
        record?(StepRecord(x0: x0, concatLatent: c, unetInput: input, context: context, tokenInput: tokenInput, prediction: prediction))
        var (loss, gradient) = mseLoss(prediction, draws.noise)
        gradient.scaleInPlace(lossScale)
        let dContext = unet.backward(gradient).dContext
        var dToken = dContext
        if mode == .customnet {
            let parts = split(dContext, sizes: [1, dContext.shape[1] - 1], axis: 1)
            dToken = parts[0]
            textStandIn?.backward(parts[1])
        }
        let dTokenInput = projection.backward(dToken)
        if let imageStandIn {
            let b = batch.count, w = dTokenInput.shape[2] - 4
            var dEmbedding = split(dTokenInput, sizes: [w, 4], axis: 2)[0].reshaped([b, w])
            Self.maskRows(&dEmbedding, dropImage)
            imageStandIn.backward(dEmbedding)
        }
        return loss
    }

    /// The loss of a batch with full conditioning (no dropout), in inference mode (validation).
    public func evaluationLoss(_ batch: TrainingBatch, draws: Draws) throws -> Float {
        try InferenceMode.run {
            let (x0, concatLatent) = try latents(batch, posteriorNoise: draws.posteriorNoise)
            let embedding = try imageEmbedding(batch.reference)
            let (context, _) = try self.context(embedding: embedding, pose: batch.pose, captions: batch.captions)
            let input = concat([noised(x0, noise: draws.noise, timesteps: draws.timesteps), concatLatent], axis: 1)
            let prediction = unet.forward(input, timesteps: draws.timesteps.map(Float.init), context: context)
            return mseLoss(prediction, draws.noise).loss
        }
    }

    /// DDIM samples for a batch (guidance `scale`, zero123's inference null: zeros after
    /// cc_projection, zero c_concat; CustomNet's: a zero image token and the empty caption); x_T
    /// and eta's per-step noise come from `SeededNoise(seed:)`. The sample grids and
    /// `TrainedViewGenerator` both sample here. Returns images [B, 3, S, S] in [-1, 1].
    public func sample(_ batch: TrainingBatch, steps: Int, guidance: Float, seed: UInt64, eta: Double = 0,
                       spacing: TimestepSpacing = .ldm) throws -> Tensor {
        try InferenceMode.run {
            let b = batch.count
            let (_, concatLatent) = try latents(batch, posteriorNoise: nil)
            let embedding = try imageEmbedding(batch.reference)
            let (context, _) = try self.context(embedding: embedding, pose: batch.pose, captions: batch.captions)
            var nullContext = Tensor(shape: [b, 1, context.shape[2]])
            if mode == .customnet { nullContext = concat([nullContext, try textTokens([String](repeating: "", count: b))], axis: 1) }
            let contexts = concat([nullContext, context], axis: 0)
            let sampler = try DDIMSampler(schedule: schedule, steps: steps, eta: eta, spacing: spacing)
            var noise = SeededNoise(seed: seed)
            let shape = [b, preset.latentChannels, preset.latentSize, preset.latentSize]
            let latent = try sampler.sample(shape: shape, noise: &noise) { x, t in
                let input = concat([concat([x, concatLatent.zerosLike()], axis: 1), concat([x, concatLatent], axis: 1)], axis: 0)
                let eps = unet.forward(input, timesteps: [Float](repeating: Float(t), count: 2 * b), context: contexts)
                return try ClassifierFreeGuidance.combine(batched: eps, scale: guidance)
            }
            guard preset.firstStage == .vae, let vae else { return latent }
            var unscaled = latent
            unscaled.scaleInPlace(1 / preset.scaleFactor)
            return try vae.decode(unscaled)
        }
    }
}
