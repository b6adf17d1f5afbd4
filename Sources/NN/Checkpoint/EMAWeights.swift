import Foundation
import Tensor

/// A checkpoint seen with its EMA weights in place of the trained ones, as ldm's `LitEma`
/// (`ldm/modules/ema.py`, used by zero123's `ldm/models/diffusion/ddpm.py` with `use_ema`) stores
/// them: the EMA of `model.X` lives under `model_ema.` + X with its dots removed
/// (`model.diffusion_model.input_blocks.0.0.weight` -> `model_ema.diffusion_modelinput_blocks00weight`).
/// Every `model.X` key with such a counterpart serves the counterpart's values; the `model_ema.*`
/// keys themselves (with `num_updates` and `decay`) are hidden; other keys pass through.
public struct EMAWeights: TensorSource {
    private let base: any TensorSource
    private let served: [String: String]
    private let sortedKeys: [String]
    /// The `model.*` keys that had no EMA counterpart and serve their own values (LitEma tracks
    /// only parameters with `requires_grad`).
    public let withoutEMA: [String]

    /// The EMA view of `base`; throws `no-ema` when it holds no `model_ema.*` weights.
    public init(_ base: any TensorSource) throws {
        self.base = base
        let all = base.keys
        let emaPrefix = "model_ema.", modelPrefix = "model."
        let emaKeys = Set(all.filter { $0.hasPrefix(emaPrefix) && $0 != "model_ema.num_updates" && $0 != "model_ema.decay" })
        guard !emaKeys.isEmpty else {
            throw TensorError(kind: "no-ema", "the checkpoint has no model_ema.* weights (trained with use_ema false?); load it without --ema")
        }
        var served: [String: String] = [:]
        var claimedBy: [String: String] = [:]
        var without: [String] = []
        for key in all where !key.hasPrefix(emaPrefix) {
            guard key.hasPrefix(modelPrefix) else { served[key] = key; continue }
            let ema = emaPrefix + key.dropFirst(modelPrefix.count).replacingOccurrences(of: ".", with: "")
            guard emaKeys.contains(ema) else { served[key] = key; without.append(key); continue }
            if let other = claimedBy[ema] {
                throw TensorError(kind: "bad-ema", "\(other) and \(key) both map to \(ema); this checkpoint's EMA names are ambiguous")
            }
            guard base.shape(of: ema) == base.shape(of: key) else {
                throw TensorError(kind: "bad-ema", "\(ema) has shape \(base.shape(of: ema) ?? []) but \(key) has \(base.shape(of: key) ?? []); the EMA copy does not match the model")
            }
            claimedBy[ema] = key
            served[key] = ema
        }
        self.served = served
        sortedKeys = served.keys.sorted()
        withoutEMA = without
    }

    public var keys: [String] { sortedKeys }

    public func shape(of key: String) -> [Int]? { served[key].flatMap { base.shape(of: $0) } }

    public func tensor(_ key: String) throws -> Tensor {
        guard let source = served[key] else { throw TensorError(kind: "missing-key", "no tensor named \(key)") }
        return try base.tensor(source)
    }

    /// The stored key that serves `key` (its `model_ema.*` counterpart, or itself).
    public func storedKey(for key: String) -> String? { served[key] }
}
