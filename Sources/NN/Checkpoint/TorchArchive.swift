import Tensor

/// A PyTorch zip archive as `torch.save` writes it since 1.6 (`torch/serialization.py`
/// `_save`, `caffe2/serialize/inline_container.cc`): entries `<prefix>/data.pkl` (the pickled
/// object), `<prefix>/data/<key>` (raw little-endian storages, stored uncompressed),
/// `<prefix>/byteorder`, `<prefix>/version`. The file is memory-mapped; `data.pkl` goes through
/// `RestrictedUnpickler` and storages are read in place, one tensor at a time, on request.
public final class TorchArchive: Sendable {
    /// The file path.
    public let path: String
    /// The record prefix (the folder every entry sits under, e.g. "archive").
    public let prefix: String
    /// The unpickled object.
    public let root: PickleValue
    private let file: MappedFile
    private let storages: [String: Range<Int>]

    /// Opens and unpickles `path`, refusing it if the pickle names a global outside the policy.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let bytes = file.bytes
        if bytes.count >= 2, bytes[0] == 0x80, bytes[1] <= 5 { throw CheckpointError.legacyFormat(path) }
        let zip = try StoredZip(bytes, path: path)
        guard let first = zip.entries.first, let slash = first.name.firstIndex(of: "/") else {
            throw CheckpointError.badArchive(path, "no <prefix>/data.pkl entry")
        }
        prefix = String(first.name[..<slash])
        func stored(_ name: String) throws -> Range<Int>? {
            guard let entry = zip[name] else { return nil }
            guard entry.method == 0, entry.flags & 1 == 0 else {
                throw CheckpointError.badArchive(path, "entry \(name) is compressed or encrypted (method \(entry.method)); torch.save stores entries uncompressed")
            }
            return entry.data
        }
        guard let pickle = try stored("\(prefix)/data.pkl") else { throw CheckpointError.badArchive(path, "no \(prefix)/data.pkl entry") }
        if let order = try stored("\(prefix)/byteorder") {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[order]), as: UTF8.self)
            guard text == "little" else { throw CheckpointError.badArchive(path, "byte order \"\(text)\" is not little-endian") }
        }
        let dataPrefix = "\(prefix)/data/"
        var storages: [String: Range<Int>] = [:]
        for entry in zip.entries where entry.name.hasPrefix(dataPrefix) {
            storages[String(entry.name.dropFirst(dataPrefix.count))] = try stored(entry.name)
        }
        self.storages = storages
        root = try RestrictedUnpickler.load(UnsafeRawBufferPointer(rebasing: bytes[pickle]), source: "\(path) (\(prefix)/data.pkl)")
    }

    /// The values of a tensor of this archive as float32 in C order, whatever its stored dtype
    /// and strides; `name` labels errors. With `release`, the storage's pages are dropped from the
    /// resident set afterwards (they stay in the page cache).
    public func tensor(_ reference: TensorReference, name: String = "tensor", release: Bool = true) throws -> Tensor {
        guard let range = storages[reference.storageKey] else {
            throw CheckpointError.badTensor(path, "\(name) refers to storage \(reference.storageKey), absent from \(prefix)/data/")
        }
        guard let bytes = Checked.multiply(reference.storageCount, reference.dtype.size), bytes == range.count else {
            throw CheckpointError.badTensor(path, "storage \(reference.storageKey) holds \(range.count) bytes, not \(reference.storageCount) \(reference.dtype) elements")
        }
        let layout = StridedRead.Layout(offset: reference.storageOffset, shape: reference.shape, strides: reference.strides)
        let count: Int
        switch StridedRead.validate(layout, storageCount: reference.storageCount) {
        case .fits(let n): count = n
        case .misfit(let why): throw CheckpointError.badTensor(path, "\(name): \(why)")
        }
        let values = withExtendedLifetime(file) {
            StridedRead.read(file.bytes.baseAddress! + range.lowerBound, dtype: reference.dtype, layout: layout, count: count)
        }
        if release { file.release(range) }
        return values
    }

    /// The most paths `tensorPaths` lists (a hostile pickle can share one container many times).
    public static let maximumPaths = 1_000_000

    /// Every tensor reachable from the root with its path ("state_dict.model.x", "optimizer_states.0.state.3.exp_avg").
    public var tensorPaths: [(path: String, reference: TensorReference)] {
        var out: [(String, TensorReference)] = []
        func walk(_ value: PickleValue, _ at: String, depth: Int) {
            guard depth < PickleFreezer.maximumDepth, out.count < Self.maximumPaths else { return }
            let join = { (key: String) in at.isEmpty ? key : "\(at).\(key)" }
            switch value {
            case .tensor(let t): out.append((at, t))
            case .list(let items), .tuple(let items):
                for (i, item) in items.enumerated() { walk(item, join(String(i)), depth: depth + 1) }
            case .dict(let d):
                for entry in d.entries {
                    let key: String
                    switch entry.key {
                    case .string(let s): key = s
                    case .int(let i): key = String(i)
                    default: key = "?"
                    }
                    walk(entry.value, join(key), depth: depth + 1)
                }
            default: break
            }
        }
        walk(root, "", depth: 0)
        return out
    }
}
