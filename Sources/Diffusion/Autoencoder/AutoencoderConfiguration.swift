// Follows zero123 `configs/sd-objaverse-finetune-c_concat-256.yaml` (`model.params.first_stage_config.params`)
// and the constructor arguments of `ldm/models/autoencoder.py` AutoencoderKL and
// `ldm/modules/diffusionmodules/model.py` Encoder / Decoder (`ddconfig`).

/// The VAE's shape as ldm's YAML states it under `first_stage_config.params`: `embed_dim` and the
/// `ddconfig` mapping, with the YAML's own key names. Keys absent from a decoded mapping take
/// zero123's values; other keys of the mapping (`monitor`, `lossconfig`, `ckpt_path`) are ignored.
public struct AutoencoderConfiguration: Codable, Sendable, Equatable {
    /// `embed_dim`: latent channels after `quant_conv` (4 in zero123 and SD-1.x).
    public var embedDim: Int
    /// `ddconfig`: the encoder / decoder geometry.
    public var network: Network

    /// The `ddconfig` mapping shared by ldm's Encoder and Decoder.
    public struct Network: Codable, Sendable, Equatable {
        /// `double_z`: the encoder emits mean and log-variance (2 x z_channels).
        public var doubleZ: Bool
        /// `z_channels`: channels of the encoder output / decoder input.
        public var zChannels: Int
        /// `resolution`: the image size the network was built for (decides where `attn_resolutions` apply).
        public var resolution: Int
        /// `in_channels`: image channels entering the encoder.
        public var inChannels: Int
        /// `out_ch`: image channels leaving the decoder.
        public var outChannels: Int
        /// `ch`: base channel count.
        public var channels: Int
        /// `ch_mult`: channel multiplier per level (level count = its length).
        public var channelMultipliers: [Int]
        /// `num_res_blocks`: ResnetBlocks per encoder level (the decoder has one more).
        public var resBlockCount: Int
        /// `attn_resolutions`: feature-map sizes at which levels add an AttnBlock after each ResnetBlock.
        public var attentionResolutions: [Int]
        /// `dropout`: ignored at inference (ldm's Dropout is the identity in eval mode).
        public var dropout: Double

        enum CodingKeys: String, CodingKey {
            case doubleZ = "double_z", zChannels = "z_channels", resolution, inChannels = "in_channels"
            case outChannels = "out_ch", channels = "ch", channelMultipliers = "ch_mult"
            case resBlockCount = "num_res_blocks", attentionResolutions = "attn_resolutions", dropout
        }

        /// A geometry; every argument defaults to zero123's value.
        public init(doubleZ: Bool = true, zChannels: Int = 4, resolution: Int = 256, inChannels: Int = 3,
                    outChannels: Int = 3, channels: Int = 128, channelMultipliers: [Int] = [1, 2, 4, 4],
                    resBlockCount: Int = 2, attentionResolutions: [Int] = [], dropout: Double = 0) {
            self.doubleZ = doubleZ
            self.zChannels = zChannels
            self.resolution = resolution
            self.inChannels = inChannels
            self.outChannels = outChannels
            self.channels = channels
            self.channelMultipliers = channelMultipliers
            self.resBlockCount = resBlockCount
            self.attentionResolutions = attentionResolutions
            self.dropout = dropout
        }

        /// Decodes a `ddconfig` mapping; absent keys take zero123's values.
        public init(from decoder: any Decoder) throws {
            let d = Network()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            doubleZ = try c.decodeIfPresent(Bool.self, forKey: .doubleZ) ?? d.doubleZ
            zChannels = try c.decodeIfPresent(Int.self, forKey: .zChannels) ?? d.zChannels
            resolution = try c.decodeIfPresent(Int.self, forKey: .resolution) ?? d.resolution
            inChannels = try c.decodeIfPresent(Int.self, forKey: .inChannels) ?? d.inChannels
            outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels) ?? d.outChannels
            channels = try c.decodeIfPresent(Int.self, forKey: .channels) ?? d.channels
            channelMultipliers = try c.decodeIfPresent([Int].self, forKey: .channelMultipliers) ?? d.channelMultipliers
            resBlockCount = try c.decodeIfPresent(Int.self, forKey: .resBlockCount) ?? d.resBlockCount
            attentionResolutions = try c.decodeIfPresent([Int].self, forKey: .attentionResolutions) ?? d.attentionResolutions
            dropout = try c.decodeIfPresent(Double.self, forKey: .dropout) ?? d.dropout
        }

        /// The number of resolution levels (`len(ch_mult)`).
        public var levelCount: Int { channelMultipliers.count }

        /// Channels of each level's ResnetBlocks (`ch * ch_mult[i]`).
        public var levelChannels: [Int] { channelMultipliers.map { channels * $0 } }
    }

    enum CodingKeys: String, CodingKey {
        case embedDim = "embed_dim", network = "ddconfig"
    }

    /// A configuration; the defaults are zero123's (and SD-1.x's) VAE.
    public init(embedDim: Int = 4, network: Network = Network()) {
        self.embedDim = embedDim
        self.network = network
    }

    /// Decodes a `first_stage_config.params` mapping; absent keys take zero123's values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        embedDim = try c.decodeIfPresent(Int.self, forKey: .embedDim) ?? 4
        network = try c.decodeIfPresent(Network.self, forKey: .network) ?? Network()
    }

    /// zero123's VAE (identical to SD-1.x's): 83,653,863 parameters.
    public static let zero123 = AutoencoderConfiguration()

    /// Checks that the configuration builds a network: positive sizes, at least one level, every
    /// level's channels divisible by the 32 GroupNorm groups, a double_z encoder.
    public func validate() throws {
        func fail(_ why: String) -> AutoencoderError { AutoencoderError(.badConfiguration, "VAE configuration: \(why)") }
        let n = network
        guard embedDim > 0, n.zChannels > 0, n.inChannels > 0, n.outChannels > 0, n.channels > 0, n.resolution > 0 else {
            throw fail("embed_dim, z_channels, in_channels, out_ch, ch and resolution must be positive")
        }
        guard !n.channelMultipliers.isEmpty, n.channelMultipliers.allSatisfy({ $0 > 0 }) else {
            throw fail("ch_mult must be a non-empty list of positive integers, got \(n.channelMultipliers)")
        }
        guard n.resBlockCount > 0 else { throw fail("num_res_blocks must be at least 1, got \(n.resBlockCount)") }
        guard n.doubleZ else { throw fail("double_z false is not supported: AutoencoderKL needs mean and log-variance") }
        if let bad = ([n.channels] + n.levelChannels).first(where: { $0 % VAENormalization.groups != 0 }) {
            throw fail("\(bad) channels are not divisible by the \(VAENormalization.groups) GroupNorm groups (ch \(n.channels), ch_mult \(n.channelMultipliers))")
        }
    }
}
