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
}
