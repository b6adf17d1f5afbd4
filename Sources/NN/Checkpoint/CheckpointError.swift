import Tensor

/// The error kinds of checkpoint reading, all `TensorError`s with a stable `kind` and one line
/// saying what to do (the project's `DescribedError` convention; kinds follow PyTorch's own
/// failure classes in `torch/serialization.py` where one exists).
enum CheckpointError {
    /// The file cannot be opened or mapped.
    static func unreadable(_ path: String, _ why: String) -> TensorError {
        TensorError(kind: "unreadable-checkpoint", "cannot read \(path): \(why); check the path and permissions")
    }

    /// The zip container is truncated or malformed.
    static func badArchive(_ path: String, _ why: String) -> TensorError {
        TensorError(kind: "bad-archive", "\(path) is not a usable PyTorch zip archive: \(why); re-download or re-save it with torch.save")
    }

    /// The file is a torch.save from before PyTorch 1.6 (a bare pickle stream, not a zip).
    static func legacyFormat(_ path: String) -> TensorError {
        TensorError(kind: "legacy-torch-format", "\(path) uses the pre-1.6 torch.save format (not a zip archive); re-save it with torch.save under PyTorch >= 1.6")
    }

    /// The pickle names a global outside the allowlist: the file is refused before anything runs.
    static func unsafeGlobal(_ source: String, _ name: String) -> TensorError {
        TensorError(kind: "unsafe-pickle", "\(source) refused: its pickle names the global \(name), which a tensor checkpoint never needs; do not load this file (convert it to safetensors with trusted tools)")
    }

    /// The pickle uses an opcode outside what torch.save emits for tensors and containers.
    static func unsafeOpcode(_ source: String, _ opcode: String, at offset: Int) -> TensorError {
        TensorError(kind: "unsafe-pickle", "\(source) refused: pickle opcode \(opcode) at byte \(offset) is not used by torch.save for tensors and containers; do not load this file")
    }

    /// The pickle stream is truncated or inconsistent.
    static func badPickle(_ source: String, _ why: String) -> TensorError {
        TensorError(kind: "bad-pickle", "\(source): malformed pickle: \(why); re-download or re-save the checkpoint")
    }

    /// A tensor's storage, dtype, offset or strides do not fit.
    static func badTensor(_ source: String, _ why: String) -> TensorError {
        TensorError(kind: "bad-tensor", "\(source): \(why); the checkpoint is corrupt, re-download or re-save it")
    }

    /// A tensor of a dtype this reader does not convert.
    static func unsupportedDType(_ source: String, _ key: String, _ dtype: String) -> TensorError {
        TensorError(kind: "unsupported-dtype", "\(source): tensor \(key) has dtype \(dtype); only float32/16, bfloat16, float64 and integer/bool tensors are read")
    }

    /// A key absent from a source.
    static func missingKey(_ key: String) -> TensorError {
        TensorError(kind: "missing-key", "no tensor named \(key)")
    }
}

/// Overflow-checked size arithmetic for hostile files: nil instead of a trap.
enum Checked {
    /// a + b, nil on overflow.
    static func add(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }

    /// a * b, nil on overflow.
    static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }

    /// The product of non-negative extents, nil on overflow or a negative extent.
    static func product(_ values: [Int]) -> Int? {
        var p = 1
        for v in values {
            guard v >= 0, let next = multiply(p, v) else { return nil }
            p = next
        }
        return p
    }

    /// An unsigned 64-bit size as Int, nil above Int.max.
    static func int(_ v: UInt64) -> Int? { Int(exactly: v) }
}
