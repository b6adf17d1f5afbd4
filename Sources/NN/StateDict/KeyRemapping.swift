import Tensor
import Foundation

/// A declarative table of checkpoint-name rewrites, applied in order, each rule to the result of
/// the previous ones (the mlx-swift-examples StableDiffusion loader's idea), so checkpoints whose
/// names differ can be loaded: ldm `model.diffusion_model.input_blocks.1.1.` ->
/// diffusers `down_blocks.0.attentions.0.`, or a prefix stripped.
public struct KeyRemapping: Sendable {
    /// One rewrite.
    public enum Rule: Sendable {
        /// Replace a leading `from` with `to` (keys not starting with `from` pass unchanged).
        case prefix(String, String)
        /// NSRegularExpression pattern and template ($1, $2 ... refer to groups); applied to every match.
        case regex(String, String)
        /// Drop keys starting with the prefix (e.g. `model_ema.` or `first_stage_model.`).
        case drop(String)
    }

    /// The rules, in application order.
    public var rules: [Rule]

    /// A table of rules.
    public init(_ rules: [Rule]) { self.rules = rules }

    /// The rewritten key, or nil when a `.drop` rule removes it. Throws on an invalid pattern.
    public func apply(_ key: String) throws -> String? {
        var k = key
        for rule in rules {
            switch rule {
            case let .prefix(from, to):
                if k.hasPrefix(from) { k = to + k.dropFirst(from.count) }
            case let .regex(pattern, template):
                let re: NSRegularExpression
                do { re = try NSRegularExpression(pattern: pattern) } catch {
                    throw TensorError(kind: "bad-remapping", "key remapping pattern \(pattern) is not a valid regular expression")
                }
                k = re.stringByReplacingMatches(in: k, range: NSRange(k.startIndex..., in: k), withTemplate: template)
            case let .drop(prefix):
                if k.hasPrefix(prefix) { return nil }
            }
        }
        return k
    }

    /// Renames every tensor; two source keys that land on one name are an error.
    public func apply(to tensors: [String: Tensor]) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        var origin: [String: String] = [:]
        for key in tensors.keys.sorted() {
            guard let newKey = try apply(key) else { continue }
            if let previous = origin[newKey] {
                throw TensorError(kind: "bad-remapping", "keys \(previous) and \(key) both map to \(newKey)")
            }
            origin[newKey] = key
            out[newKey] = tensors[key]
        }
        return out
    }

    /// ldm (CompVis / Zero-1-to-3) UNet names to diffusers `UNet2DConditionModel` names for the
    /// SD-1.x layout (2 res blocks per level, 4 levels): strips `model.diffusion_model.` and maps
    /// input_blocks.{3l+1+i}.{0,1} -> down_blocks.l.{resnets,attentions}.i,
    /// input_blocks.{3l+3}.0.op -> down_blocks.l.downsamplers.0.conv,
    /// output_blocks.{3l+i}.{0,1} -> up_blocks.l.{resnets,attentions}.i; middle_block.{0,1,2} ->
    /// mid_block.{resnets.0, attentions.0, resnets.1}; and ResBlock internals (in_layers.0 -> norm1,
    /// in_layers.2 -> conv1, emb_layers.1 -> time_emb_proj, out_layers.0 -> norm2,
    /// out_layers.3 -> conv2, skip_connection -> conv_shortcut). Upsampler positions (whose
    /// index varies per level) are left to callers.
    public static let ldmToDiffusersUNet = KeyRemapping([
        .prefix("model.diffusion_model.", ""),
        .regex(#"^input_blocks\.1\.(\d)\."#, "down_blocks.0.X$1."),
        .regex(#"^input_blocks\.2\.(\d)\."#, "down_blocks.0.Y$1."),
        .regex(#"^input_blocks\.4\.(\d)\."#, "down_blocks.1.X$1."),
        .regex(#"^input_blocks\.5\.(\d)\."#, "down_blocks.1.Y$1."),
        .regex(#"^input_blocks\.7\.(\d)\."#, "down_blocks.2.X$1."),
        .regex(#"^input_blocks\.8\.(\d)\."#, "down_blocks.2.Y$1."),
        .regex(#"^input_blocks\.10\.(\d)\."#, "down_blocks.3.X$1."),
        .regex(#"^input_blocks\.11\.(\d)\."#, "down_blocks.3.Y$1."),
        .regex(#"^input_blocks\.(3|6|9)\.0\.op\."#, "downsample$1."),
        .regex(#"^downsample3\."#, "down_blocks.0.downsamplers.0.conv."),
        .regex(#"^downsample6\."#, "down_blocks.1.downsamplers.0.conv."),
        .regex(#"^downsample9\."#, "down_blocks.2.downsamplers.0.conv."),
        .regex(#"\.X0\."#, ".resnets.0."), .regex(#"\.X1\."#, ".attentions.0."),
        .regex(#"\.Y0\."#, ".resnets.1."), .regex(#"\.Y1\."#, ".attentions.1."),
        .regex(#"^middle_block\.0\."#, "mid_block.resnets.0."),
        .regex(#"^middle_block\.1\."#, "mid_block.attentions.0."),
        .regex(#"^middle_block\.2\."#, "mid_block.resnets.1."),
        .regex(#"\.in_layers\.0\."#, ".norm1."), .regex(#"\.in_layers\.2\."#, ".conv1."),
        .regex(#"\.emb_layers\.1\."#, ".time_emb_proj."), .regex(#"\.out_layers\.0\."#, ".norm2."),
        .regex(#"\.out_layers\.3\."#, ".conv2."), .regex(#"\.skip_connection\."#, ".conv_shortcut."),
    ])
}
