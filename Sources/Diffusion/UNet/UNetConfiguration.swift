// Follows zero123 `configs/sd-objaverse-finetune-c_concat-256.yaml` (model.params.unet_config.params)
// and CustomNet `configs/config_customnet.yaml`; the fields are ldm `openaimodel.UNetModel`'s arguments.

/// The UNet's shape as ldm's YAML states it (`unet_config.params`), decoded with the YAML's own
/// key names; unset fields take zero123's released values (SD-1.x topology, 8 input channels).
public struct UNetConfiguration: Codable, Sendable, Equatable {
    /// Latent side the model was trained at (32 for 256x256 images).
    public var imageSize: Int = 32
    /// Input channels: 8 (zero123, CustomNet: noisy latent + concat latent), 12 (CustomNet inpainting).
    public var inChannels: Int = 8
    /// Output channels (4: predicted noise).
    public var outChannels: Int = 4
    /// Base width (320 in SD-1.x).
    public var modelChannels: Int = 320
    /// Downsampling factors at which SpatialTransformers sit ([4, 2, 1]: levels 0, 1, 2).
    public var attentionResolutions: [Int] = [4, 2, 1]
    /// ResBlocks per level.
    public var numResBlocks: Int = 2
    /// Width multipliers per level.
    public var channelMult: [Int] = [1, 2, 4, 4]
    /// Attention heads (used when `numHeadChannels` is -1).
    public var numHeads: Int = 8
    /// Width per head, or -1 to derive it from `numHeads`.
    public var numHeadChannels: Int = -1
    /// Transformer blocks per SpatialTransformer.
    public var transformerDepth: Int = 1
    /// Cross-attention context width (CLIP ViT-L/14: 768).
    public var contextDim: Int = 768
    /// ldm's legacy head arithmetic flag (no effect when `numHeadChannels` is -1).
    public var legacy: Bool = false
    /// Gradient checkpointing in ldm (training memory only; ignored by inference).
    public var useCheckpoint: Bool = false
    /// Whether SpatialTransformers are used (always true for these models).
    public var useSpatialTransformer: Bool = true
    /// CustomNet's dual cross-attention (`to_k_text` / `to_v_text` in every attn2); not an ldm
    /// YAML field: set from the checkpoint's keys or the model variant.
    public var dualCrossAttention: Bool = false
    /// GroupNorm group count (ldm's `normalization()` hard-codes 32).
    public var normGroups: Int = 32

    /// zero123's released configuration.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size", inChannels = "in_channels", outChannels = "out_channels"
        case modelChannels = "model_channels", attentionResolutions = "attention_resolutions"
        case numResBlocks = "num_res_blocks", channelMult = "channel_mult", numHeads = "num_heads"
        case numHeadChannels = "num_head_channels", transformerDepth = "transformer_depth"
        case contextDim = "context_dim", legacy, useCheckpoint = "use_checkpoint"
        case useSpatialTransformer = "use_spatial_transformer", dualCrossAttention = "dual_cross_attention"
        case normGroups = "norm_groups"
    }

    /// Decodes the YAML's fields, keeping zero123's value for every field not given.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UNetConfiguration()
        imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? d.imageSize
        inChannels = try c.decodeIfPresent(Int.self, forKey: .inChannels) ?? d.inChannels
        outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels) ?? d.outChannels
        modelChannels = try c.decodeIfPresent(Int.self, forKey: .modelChannels) ?? d.modelChannels
        attentionResolutions = try c.decodeIfPresent([Int].self, forKey: .attentionResolutions) ?? d.attentionResolutions
        numResBlocks = try c.decodeIfPresent(Int.self, forKey: .numResBlocks) ?? d.numResBlocks
        channelMult = try c.decodeIfPresent([Int].self, forKey: .channelMult) ?? d.channelMult
        numHeads = try c.decodeIfPresent(Int.self, forKey: .numHeads) ?? d.numHeads
        numHeadChannels = try c.decodeIfPresent(Int.self, forKey: .numHeadChannels) ?? d.numHeadChannels
        transformerDepth = try c.decodeIfPresent(Int.self, forKey: .transformerDepth) ?? d.transformerDepth
        contextDim = try c.decodeIfPresent(Int.self, forKey: .contextDim) ?? d.contextDim
        legacy = try c.decodeIfPresent(Bool.self, forKey: .legacy) ?? d.legacy
        useCheckpoint = try c.decodeIfPresent(Bool.self, forKey: .useCheckpoint) ?? d.useCheckpoint
        useSpatialTransformer = try c.decodeIfPresent(Bool.self, forKey: .useSpatialTransformer) ?? d.useSpatialTransformer
        dualCrossAttention = try c.decodeIfPresent(Bool.self, forKey: .dualCrossAttention) ?? d.dualCrossAttention
        normGroups = try c.decodeIfPresent(Int.self, forKey: .normGroups) ?? d.normGroups
    }

    /// Heads and width per head at a level of width `channels`, as `UNetModel.__init__` derives them.
    func attentionHeads(channels: Int) -> (heads: Int, dimHead: Int) {
        if numHeadChannels == -1 { return (numHeads, channels / numHeads) }
        return (channels / numHeadChannels, numHeadChannels)
    }
}
