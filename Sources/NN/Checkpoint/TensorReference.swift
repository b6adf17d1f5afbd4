/// Where a pickled tensor's values live: the archive storage it views and its view geometry, the
/// arguments of PyTorch's `torch/_utils.py` `_rebuild_tensor_v2(storage, storage_offset, size,
/// stride, requires_grad, backward_hooks)` with the storage given by its persistent id
/// `("storage", torch.<T>Storage, key, location, numel)` (`torch/serialization.py` `persistent_id`).
public struct TensorReference: Sendable, Equatable {
    /// The storage's record name under `<prefix>/data/`.
    public var storageKey: String
    /// The element type of the storage.
    public var dtype: StoredDType
    /// The storage's element count.
    public var storageCount: Int
    /// The first element of the view, in elements.
    public var storageOffset: Int
    /// The extents, outermost first.
    public var shape: [Int]
    /// The strides, in elements.
    public var strides: [Int]
    /// `requires_grad` as saved.
    public var requiresGrad: Bool
    /// True when saved as an `nn.Parameter` (`_rebuild_parameter`).
    public var isParameter: Bool
    /// The device the storage was saved from ("cpu", "cuda:0", ...); values load on the CPU.
    public var location: String
}
