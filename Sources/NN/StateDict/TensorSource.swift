import Tensor

/// A read-only set of named tensors whose values are produced on demand, one at a time (a
/// memory-mapped safetensors file, a PyTorch zip archive, a dictionary in memory), so loading a
/// model never holds the whole checkpoint twice. Values come back as float32 whatever the stored
/// dtype (F32, F16, BF16 are widened exactly).
public protocol TensorSource {
    /// Every tensor name, sorted.
    var keys: [String] { get }
    /// The shape of a tensor without reading its values (nil when absent).
    func shape(of key: String) -> [Int]?
    /// Reads one tensor as float32; throws a readable error when it is absent or unreadable.
    func tensor(_ key: String) throws -> Tensor
}

/// Named tensors held in memory as a `TensorSource`.
public struct TensorDictionary: TensorSource {
    /// The tensors by name.
    public var tensors: [String: Tensor]

    /// Wraps a dictionary.
    public init(_ tensors: [String: Tensor]) { self.tensors = tensors }

    public var keys: [String] { tensors.keys.sorted() }
    public func shape(of key: String) -> [Int]? { tensors[key]?.shape }
    public func tensor(_ key: String) throws -> Tensor {
        guard let t = tensors[key] else { throw TensorError(kind: "missing-key", "no tensor named \(key)") }
        return t
    }
}
