import Tensor

/// The entries of a `TensorSource` whose keys start with `prefix` (one part of a checkpoint).
public struct PrefixedSource: TensorSource {
    private let base: any TensorSource
    /// The key prefix kept (e.g. "first_stage_model.").
    public let prefix: String
    private let kept: [String]

    /// The part of `base` under `prefix`.
    public init(_ base: any TensorSource, prefix: String) {
        self.base = base
        self.prefix = prefix
        kept = base.keys.filter { $0.hasPrefix(prefix) }
    }

    public var keys: [String] { kept }
    public func shape(of key: String) -> [Int]? { key.hasPrefix(prefix) ? base.shape(of: key) : nil }
    public func tensor(_ key: String) throws -> Tensor {
        guard key.hasPrefix(prefix) else { throw TensorError(kind: "missing-key", "no tensor named \(key) under \(prefix)") }
        return try base.tensor(key)
    }
}
