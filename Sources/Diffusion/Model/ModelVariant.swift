// Follows zero123 `configs/sd-objaverse-finetune-c_concat-256.yaml`, CustomNet
// `configs/config_customnet.yaml` and `config_customnet_inpaint.yaml`.
import NN

/// Which of the three released networks a checkpoint holds.
public enum ModelVariant: String, Sendable, CaseIterable, Codable {
    /// Zero-1-to-3 (and -XL): image token context, 8 input channels.
    case zero123
    /// CustomNet: dual cross-attention over [image token; 77 text tokens], 8 input channels.
    case customnet
    /// CustomNet's inpainting variant: 12 input channels (x_t, object latent, background latent).
    case customnetInpaint = "customnet-inpaint"

    /// Whether every attn2 has CustomNet's text key/value pair.
    public var hasTextAttention: Bool { self != .zero123 }

    /// The UNet's input channels.
    public var inChannels: Int { self == .customnetInpaint ? 12 : 8 }

    /// The variant a checkpoint's UNet keys show: `to_k_text` in attn2 means CustomNet, a 12-channel
    /// `input_blocks.0.0.weight` means inpainting. nil when the source has no UNet.
    public static func detect(in source: any TensorSource, unetPrefix: String) -> ModelVariant? {
        guard let convIn = source.shape(of: unetPrefix + "input_blocks.0.0.weight"), convIn.count == 4 else { return nil }
        let dual = source.keys.contains { $0.hasPrefix(unetPrefix) && $0.hasSuffix("attn2.to_k_text.weight") }
        if !dual { return .zero123 }
        return convIn[1] == 12 ? .customnetInpaint : .customnet
    }
}
