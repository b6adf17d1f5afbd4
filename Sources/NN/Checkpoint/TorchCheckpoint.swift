import Tensor

/// A PyTorch checkpoint file (`.ckpt`, `.pt`, `.bin` from `torch.save`) as a `TensorSource` over
/// its state dict, chosen as PyTorch Lightning and ldm's loaders do (`ldm/util.py`
/// `load_model_from_config`: `pl_sd["state_dict"]`; CustomNet `main/app.py` feeds the whole file to
/// `load_state_dict`): the `state_dict` entry when the top-level dict has one, else the top-level
/// dict itself. Its string-keyed tensor entries are the keys; everything else (optimizer states,
/// `global_step`, callbacks) stays inspectable through `archive.root`.
///
/// Floating tensors (F32, F16, BF16 widened exactly; F64 rounded to nearest) are served as
/// float32. Integer and bool tensors (`num_batches_tracked`, `model_ema.num_updates`) are left out
/// of `keys` unless `integers: .asFloat` is given, which serves them converted like `Tensor.float()`.
public final class TorchCheckpoint: TensorSource, Sendable {
    /// What to do with integer and bool tensors of the state dict.
    public enum IntegerTensors: Sendable {
        /// Leave them out of `keys` (the default).
        case skip
        /// Serve them as float32 (exact up to 2^24 in magnitude).
        case asFloat
    }

    /// The archive: its pickled structure and storages.
    public let archive: TorchArchive
    /// Where the state dict was found: "state_dict" or "" (the top level).
    public let stateDictPath: String
    /// The state dict's integer/bool tensor names that `keys` leaves out.
    public let skippedIntegerKeys: [String]
    private let references: [String: TensorReference]
    private let sortedKeys: [String]

    /// Opens `path` (see `TorchArchive.init(path:)` for the refusal policy).
    public convenience init(path: String, integers: IntegerTensors = .skip) throws {
        try self.init(archive: TorchArchive(path: path), integers: integers)
    }

    /// The state dict of an opened archive.
    public init(archive: TorchArchive, integers: IntegerTensors = .skip) throws {
        self.archive = archive
        guard let top = archive.root.dictionary else {
            throw TensorError(kind: "no-state-dict", "\(archive.path) holds a \(Self.kindName(archive.root)), not a dict of tensors; pass a state dict or a Lightning checkpoint")
        }
        let stateDict: PickleDictionary
        if let nested = top["state_dict"] {
            guard let d = nested.dictionary else {
                throw TensorError(kind: "no-state-dict", "\(archive.path): its state_dict entry is a \(Self.kindName(nested)), not a dict of tensors")
            }
            stateDict = d
            stateDictPath = "state_dict"
        } else {
            stateDict = top
            stateDictPath = ""
        }
        var references: [String: TensorReference] = [:]
        var skipped: [String] = []
        for entry in stateDict.entries {
            guard let key = entry.key.string, let reference = entry.value.tensorReference else { continue }
            if !reference.dtype.isFloatingPoint && integers == .skip {
                skipped.append(key)
            } else {
                references[key] = reference
            }
        }
        self.references = references
        sortedKeys = references.keys.sorted()
        skippedIntegerKeys = skipped.sorted()
    }

    public var keys: [String] { sortedKeys }

    public func shape(of key: String) -> [Int]? { references[key]?.shape }

    public func tensor(_ key: String) throws -> Tensor {
        guard let reference = references[key] else { throw CheckpointError.missingKey(key) }
        return try archive.tensor(reference, name: key)
    }

    /// The stored reference (dtype, storage, strides) of a state-dict tensor.
    public func reference(_ key: String) -> TensorReference? { references[key] }

    private static func kindName(_ value: PickleValue) -> String {
        switch value {
        case .list: "list"
        case .tuple: "tuple"
        case .tensor: "single tensor"
        case .dict: "dict"
        default: "scalar"
        }
    }
}
