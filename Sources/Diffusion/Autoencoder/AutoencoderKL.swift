// Follows zero123 `ldm/models/autoencoder.py`: AutoencoderKL (encode, decode; the training loss,
// image logging and EMA of that file are not ported).
import NN
import Support
import Tensor

/// ldm's `AutoencoderKL`, the first stage of zero123 / CustomNet: `encode` maps an image in
/// [-1, 1] to the posterior over latents, `decode` maps a latent back to an image in [-1, 1].
///
/// Both take and return UNSCALED latents. zero123 multiplies by `scale_factor` (0.18215, see
/// `zero123ScaleFactor`) only the training target (`.sample() * 0.18215`) and divides by it before
/// decoding a sampled latent; the c_concat conditioning is the posterior mean WITHOUT the factor.
/// Applying it is the caller's job.
///
/// Inference only: there is no backward pass (the VAE is frozen in zero123 / CustomNet training);
/// `encode` and `decode` run inside `InferenceMode.run`, so no activation is kept. Parameter names
/// are ldm's checkpoint keys (`encoder.down.0.block.0.norm1.weight`, ...); under zero123's prefix
/// `first_stage_model.` they load with NN's `load(from:prefix:transforms:strict:)`, or through
/// `loadCheckpoint(_:naming:strict:)`, which also reads diffusers names.
public final class AutoencoderKL: Module {
    /// The configuration the network was built from.
    public let configuration: AutoencoderConfiguration
    /// `encoder`.
    public let encoder: VAEEncoder
    /// `decoder`.
    public let decoder: VAEDecoder
    /// `quant_conv`: 1x1, 2 z_channels -> 2 embed_dim (moments).
    public let quantConv: Conv2d
    /// `post_quant_conv`: 1x1, embed_dim -> z_channels.
    public let postQuantConv: Conv2d

    /// The key prefix of the VAE inside zero123 and CustomNet checkpoints (ldm `first_stage_model`).
    public static let checkpointPrefix = "first_stage_model"

    /// zero123's `scale_factor`: latents the UNet sees are `0.18215 * z` (training target only).
    public static let zero123ScaleFactor: Float = 0.18215

    /// A VAE with PyTorch's default initialisation drawn from `random` (to be overwritten by a
    /// checkpoint, or for tests). Throws when the configuration is not buildable.
    public init(_ configuration: AutoencoderConfiguration = .zero123, random: inout SeededRandom) throws {
        try configuration.validate()
        self.configuration = configuration
        let network = configuration.network
        encoder = VAEEncoder(network, random: &random)
        decoder = VAEDecoder(network, random: &random)
        quantConv = Conv2d(2 * network.zChannels, 2 * configuration.embedDim, kernel: 1, random: &random)
        postQuantConv = Conv2d(configuration.embedDim, network.zChannels, kernel: 1, random: &random)
    }

    /// A VAE whose placeholder weights come from a fixed seed (they are meant to be loaded).
    public convenience init(_ configuration: AutoencoderConfiguration = .zero123) throws {
        var random = SeededRandom(seed: 0)
        try self.init(configuration, random: &random)
    }

    public var children: [(String, any Module)] {
        [("encoder", encoder), ("decoder", decoder), ("quant_conv", quantConv), ("post_quant_conv", postQuantConv)]
    }

    /// The spatial factor between images and latents: 2^(levels - 1) (8 for zero123).
    public var downsamplingFactor: Int { 1 << (configuration.network.levelCount - 1) }

    /// ldm `encode`: image x [N, in_channels, H, W] in [-1, 1] -> the posterior
    /// N(mean, exp(logvar)) over unscaled latents [N, embed_dim, H/f, W/f] (f = `downsamplingFactor`).
    /// Throws when x has the wrong rank or channel count, or is smaller than f.
    public func encode(_ x: Tensor) throws -> DiagonalGaussian {
        let inChannels = configuration.network.inChannels, f = downsamplingFactor
        guard x.rank == 4, x.shape[1] == inChannels, x.shape[0] > 0, x.shape[2] >= f, x.shape[3] >= f else {
            throw AutoencoderError(.badInput, "VAE encode expects an image [N, \(inChannels), H, W] with H, W >= \(f), got \(x.shape)")
        }
        let moments = InferenceMode.run { bandedConv2d(encoder.forward(x), quantConv) }
        return try DiagonalGaussian(moments: moments)
    }

    /// ldm `decode`: unscaled latent z [N, embed_dim, h, w] -> image [N, out_ch, h f, w f] in
    /// (about) [-1, 1]. Throws when z has the wrong rank or channel count.
    public func decode(_ z: Tensor) throws -> Tensor {
        let embedDim = configuration.embedDim
        guard z.rank == 4, z.shape[1] == embedDim, z.shape[0] > 0, z.shape[2] > 0, z.shape[3] > 0 else {
            throw AutoencoderError(.badInput, "VAE decode expects a latent [N, \(embedDim), h, w], got \(z.shape)")
        }
        return InferenceMode.run { decoder.forward(bandedConv2d(z, postQuantConv)) }
    }

    /// Loads the weights from a checkpoint in ldm naming (keys under `first_stage_model.`, as in
    /// zero123 / CustomNet files) or diffusers naming (keys as in a diffusers `vae/` folder:
    /// `encoder.down_blocks.0.resnets.0.norm1.weight`, attention linears [C, C]). Strict by
    /// default: a missing, unexpected or mis-shaped key is an error naming the first offenders.
    @discardableResult
    public func loadCheckpoint(_ source: any TensorSource, naming: AutoencoderNaming = .ldm,
                               strict: Bool = true) throws -> LoadReport {
        let prefix = Self.checkpointPrefix
        switch naming {
        case .ldm:
            return try load(from: source, prefix: prefix, strict: strict)
        case .diffusers:
            let transforms = AutoencoderKeys.diffusersToLDM(levels: configuration.network.levelCount,
                                                            diffusersPrefix: "", ldmPrefix: prefix + ".")
            return try load(from: source, prefix: prefix, transforms: transforms, strict: strict)
        }
    }
}

/// The two checkpoint naming schemes a VAE can be read from.
public enum AutoencoderNaming: String, Sendable, CaseIterable {
    /// ldm / zero123 names (`first_stage_model.encoder.down.0.block.0...`).
    case ldm
    /// diffusers `AutoencoderKL` names (`encoder.down_blocks.0.resnets.0...`).
    case diffusers
}
