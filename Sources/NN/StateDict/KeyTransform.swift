import Tensor

/// One rule of a checkpoint conversion: rewrites an entry (name and shape) into zero or more
/// entries, each with a function deriving its value from the source tensor (the
/// mlx-swift-examples StableDiffusion loader's `(key, value) -> [(key, value)]` idea), so one
/// tensor can become several (OpenAI CLIP's fused `in_proj_weight` -> HF q/k/v) and layouts can
/// change on the way (ldm's 1x1 conv [o, i, 1, 1] <-> diffusers' linear [o, i]).
public struct KeyTransform: Sendable {
    /// A derived entry: its name, its shape and how its value is computed from the source tensor.
    public struct Entry: Sendable {
        /// The new name.
        public var key: String
        /// The new shape.
        public var shape: [Int]
        /// Computes the new value from the source tensor.
        public var derive: @Sendable (Tensor) -> Tensor

        /// An entry derived from its source by `derive`.
        public init(key: String, shape: [Int], derive: @escaping @Sendable (Tensor) -> Tensor) {
            self.key = key
            self.shape = shape
            self.derive = derive
        }
    }

    /// nil leaves the entry to the next rule unchanged; [] drops it; otherwise its replacements.
    public let rewrite: @Sendable (_ key: String, _ shape: [Int]) -> [Entry]?

    /// A rule from a rewrite function.
    public init(_ rewrite: @escaping @Sendable (_ key: String, _ shape: [Int]) -> [Entry]?) {
        self.rewrite = rewrite
    }

    /// Renames keys through a `KeyRemapping` table (a `.drop` rule removes the entry).
    public static func rename(_ table: KeyRemapping) -> KeyTransform {
        KeyTransform { key, shape in
            guard let renamed = try? table.apply(key) else { return [] }
            return renamed == key ? nil : [Entry(key: renamed, shape: shape) { $0 }]
        }
    }

    /// Splits a tensor fused on dim 0 into equal parts (PyTorch `nn.MultiheadAttention`'s
    /// `in_proj_weight` [3d, d] / `in_proj_bias` [3d] -> q, k, v as transformers'
    /// `convert_clip_original_pytorch_to_hf.py` does): a key ending in `suffix` becomes one key per
    /// element of `parts` (the suffix replaced by it).
    public static func splitFused(suffix: String, into parts: [String]) -> KeyTransform {
        KeyTransform { key, shape in
            guard key.hasSuffix(suffix), let rows = shape.first, rows % parts.count == 0 else { return nil }
            let stem = String(key.dropLast(suffix.count)), n = parts.count, step = rows / n
            let partShape = [step] + shape.dropFirst()
            return parts.enumerated().map { index, part in
                Entry(key: stem + part, shape: partShape) { fused in
                    let width = fused.count / rows
                    return Tensor(shape: partShape, data: Array(fused.data[(index * step * width)..<((index + 1) * step * width)]))
                }
            }
        }
    }

    /// Reshapes a 1x1 convolution weight [o, i, 1, 1] of a key
    /// accepted by `matches` into a linear weight [o, i] (ldm VAE attention -> diffusers).
    public static func pointwiseConvToLinear(where matches: @escaping @Sendable (String) -> Bool) -> KeyTransform {
        KeyTransform { key, shape in
            guard matches(key), shape.count == 4, shape[2] == 1, shape[3] == 1 else { return nil }
            let linearShape = [shape[0], shape[1]]
            return [Entry(key: key, shape: linearShape) { $0.reshaped(linearShape) }]
        }
    }

    /// Reshapes a linear weight [o, i] of a key accepted by `matches` into a 1x1 convolution weight
    /// [o, i, 1, 1] (diffusers -> ldm).
    public static func linearToPointwiseConv(where matches: @escaping @Sendable (String) -> Bool) -> KeyTransform {
        KeyTransform { key, shape in
            guard matches(key), shape.count == 2 else { return nil }
            let convShape = shape + [1, 1]
            return [Entry(key: key, shape: convShape) { $0.reshaped(convShape) }]
        }
    }
}

/// A `TensorSource` seen through a list of `KeyTransform`s applied in order: names and shapes are
/// computed up front from the source's index, values only when read.
public struct TransformedSource: TensorSource {
    private let base: any TensorSource
    private let entries: [String: (source: String, shape: [Int], derive: @Sendable (Tensor) -> Tensor)]

    /// The view of `base` under `transforms`; two entries landing on one name are an error.
    public init(_ base: any TensorSource, transforms: [KeyTransform]) throws {
        self.base = base
        var current: [(key: String, source: String, shape: [Int], derive: @Sendable (Tensor) -> Tensor)] =
            base.keys.map { ($0, $0, base.shape(of: $0) ?? [], { $0 }) }
        for transform in transforms {
            var next: [(key: String, source: String, shape: [Int], derive: @Sendable (Tensor) -> Tensor)] = []
            for entry in current {
                guard let replacements = transform.rewrite(entry.key, entry.shape) else { next.append(entry); continue }
                for r in replacements {
                    let inner = entry.derive
                    next.append((r.key, entry.source, r.shape, { r.derive(inner($0)) }))
                }
            }
            current = next
        }
        var table: [String: (source: String, shape: [Int], derive: @Sendable (Tensor) -> Tensor)] = [:]
        for entry in current {
            if let previous = table[entry.key] {
                throw TensorError(kind: "bad-remapping", "checkpoint keys \(previous.source) and \(entry.source) both map to \(entry.key)")
            }
            table[entry.key] = (entry.source, entry.shape, entry.derive)
        }
        entries = table
    }

    public var keys: [String] { entries.keys.sorted() }
    public func shape(of key: String) -> [Int]? { entries[key]?.shape }
    public func tensor(_ key: String) throws -> Tensor {
        guard let entry = entries[key] else { throw TensorError(kind: "missing-key", "no tensor named \(key)") }
        return entry.derive(try base.tensor(entry.source))
    }
}
