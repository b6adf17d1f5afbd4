/// The globals a tensor checkpoint's pickle may name: a narrowed form of PyTorch's
/// `torch/_weights_only_unpickler.py` allowlist, keeping only what `torch.save` writes for tensors
/// and containers. Callables are interpreted by name (nothing is ever executed); `inert` names
/// may only appear as values and are refused if called.
enum PickleGlobal: Equatable {
    case rebuildTensor, rebuildParameter, rebuildParameterWithState
    case storage(StoredDType)
    case orderedDict
    case device
    /// `_codecs.encode(text, "latin1")`: how protocol 2 pickles Python 3 `bytes`.
    case encodeBytes
    /// Named only as a value: PyTorch Lightning 1.x checkpoints (ldm, zero123) key their
    /// `callbacks` dict by the `ModelCheckpoint` class itself.
    case inert

    /// The policy's verdict on "module.name"; nil refuses it.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): self = .rebuildParameterWithState
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch", "device"): self = .device
        case ("_codecs", "encode"): self = .encodeBytes
        case ("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint"): self = .inert
        case ("torch", _):
            guard let dtype = StoredDType(torchStorage: name) else { return nil }
            self = .storage(dtype)
        default: return nil
        }
    }
}
