/// A value read from a checkpoint's pickle (Python `pickle` data model, restricted to what
/// `torch.save` writes for state dicts and Lightning checkpoints): scalars, containers and
/// references to stored tensors. Nothing in it is executable.
public indirect enum PickleValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits: its two's-complement little-endian bytes (pickle LONG1/LONG4).
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    case dict(PickleDictionary)
    /// A tensor stored in the archive (read its values through `TorchArchive.tensor(_:)`).
    case tensor(TensorReference)
    /// A `torch.device`, e.g. "cpu" or "cuda:0".
    case device(String)
    /// A class named but never called (an allowed inert reference such as Lightning 1.x's
    /// `ModelCheckpoint` used as a `callbacks` key), as "module.name".
    case global(String)

    /// The dictionary, when this is one.
    public var dictionary: PickleDictionary? {
        if case .dict(let d) = self { return d }
        return nil
    }

    /// The tensor reference, when this is one.
    public var tensorReference: TensorReference? {
        if case .tensor(let t) = self { return t }
        return nil
    }

    /// The string, when this is one.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, when this is one that fits 64 bits.
    public var int: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The elements of a list or tuple.
    public var elements: [PickleValue]? {
        switch self {
        case .list(let items), .tuple(let items): items
        default: nil
        }
    }
}

/// A pickled dict or `collections.OrderedDict`: entries in insertion order (keys may be strings,
/// ints or other hashable values), plus attributes set by BUILD (an OrderedDict's `_metadata`, as
/// `torch.nn.Module.state_dict()` attaches it).
public struct PickleDictionary: Sendable, Equatable {
    /// One key/value pair.
    public struct Entry: Sendable, Equatable {
        public var key: PickleValue
        public var value: PickleValue
    }

    /// The entries in insertion order.
    public var entries: [Entry]
    /// Attributes set on the object by BUILD (empty for a plain dict).
    public var attributes: [Entry]

    /// The value under a string key.
    public subscript(_ key: String) -> PickleValue? {
        entries.first { $0.key == .string(key) }?.value
    }

    /// The value under an integer key.
    public subscript(_ key: Int) -> PickleValue? {
        entries.first { $0.key == .int(key) }?.value
    }

    /// The string keys, in order.
    public var stringKeys: [String] { entries.compactMap(\.key.string) }
}
