// The failures of the CLIP encoders (openai/CLIP `clip/model.py` `build_model` shape reading,
// transformers `modeling_clip.py` inputs), in the `DescribedError` shape of `ImageError`.
import Support

/// A failure of a CLIP encoder: weights that do not describe a CLIP tower, or an input of the
/// wrong shape. Key and shape mismatches found while loading come from NN (`TensorError`).
public struct CLIPError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings.
    public enum Reason: String, Sendable, CaseIterable {
        case missingWeights = "clip-missing-weights"
        case inconsistentWeights = "clip-inconsistent-weights"
        case badInput = "clip-bad-input"
        case badTokens = "clip-bad-tokens"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// The full one-line human message (cause and advice).
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Builds an error whose message reads "`detail` (`advice`)".
    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        let advice: String
        switch reason {
        case .missingWeights: advice = "check the checkpoint and the key prefix; OpenAI (conv1, transformer.resblocks) and transformers (vision_model / text_model) names are accepted"
        case .inconsistentWeights: advice = "the checkpoint's CLIP tensors do not fit one model; check that it is not truncated or mixed"
        case .badInput: advice = "fix the caller's tensor shape"
        case .badTokens: advice = "token ids must be produced by the CLIP tokenizer of this model"
        }
        message = "\(detail) (\(advice))"
    }
}
