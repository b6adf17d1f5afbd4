import Foundation

/// Saving and loading a layer's parameters by name (PyTorch `state_dict` / `load_state_dict`).
extension Layer {
    /// Every parameter's current value under its dotted name (prefixed when `prefix` is given).
    public func stateDict(prefix: String = "") -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (name, p) in namedParameters(prefix: prefix) { d[name] = p.value }
        return d
    }

    /// Copies named tensors into the parameters. Keys are first rewritten by `remapping`, then
    /// `prefix` + "." is stripped from them. With `strict` (the default) a missing key, an
    /// unexpected key or a shape mismatch is an error naming every offender; without it,
    /// unmatched keys are skipped, but a shape mismatch is still an error.
    /// Returns the names of parameters that were NOT loaded (always empty when strict).
    @discardableResult
    public func loadStateDict(_ tensors: [String: Tensor], prefix: String = "", remapping: KeyRemapping? = nil,
                              strict: Bool = true) throws -> [String] {
        let renamed = try remapping?.apply(to: tensors) ?? tensors
        let own = namedParameters(prefix: prefix)
        let ownNames = Set(own.map(\.0))
        var missing: [String] = [], mismatched: [String] = []
        for (name, p) in own {
            guard let t = renamed[name] else { missing.append(name); continue }
            if t.shape != p.value.shape { mismatched.append("\(name) file \(t.shape) vs model \(p.value.shape)") }
        }
        let unexpected = renamed.keys.filter { !ownNames.contains($0) }.sorted()
        if !mismatched.isEmpty {
            throw TensorError(kind: "shape-mismatch", "checkpoint shapes differ: " + mismatched.joined(separator: "; "))
        }
        if strict && (!missing.isEmpty || !unexpected.isEmpty) {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.count): \(missing.prefix(20).joined(separator: ", "))") }
            if !unexpected.isEmpty { parts.append("unexpected \(unexpected.count): \(unexpected.prefix(20).joined(separator: ", "))") }
            throw TensorError(kind: "key-mismatch", "checkpoint keys do not match the model (" + parts.joined(separator: "; ")
                              + "); add KeyRemapping rules or load with strict: false")
        }
        for (name, p) in own {
            if let t = renamed[name] { p.value = t }
        }
        return missing
    }
}

extension Layer {
    /// Writes every parameter to a safetensors file (F32, names prefixed with `prefix`).
    public func saveSafetensors(to path: String, prefix: String = "", metadata: [String: String] = [:]) throws {
        try Safetensors.write(stateDict(prefix: prefix), metadata: metadata, to: path)
    }

    /// Loads parameters from a safetensors file through `loadStateDict` (strict by default).
    /// Returns the names of parameters not loaded (empty when strict).
    @discardableResult
    public func loadSafetensors(from path: String, prefix: String = "", remapping: KeyRemapping? = nil,
                                strict: Bool = true) throws -> [String] {
        try loadStateDict(Safetensors.read(path).tensors, prefix: prefix, remapping: remapping, strict: strict)
    }
}
