import Tensor
import Foundation

/// Saving and loading a layer's parameters by name (PyTorch `state_dict` / `load_state_dict`).
extension Module {
    /// Every parameter's current value under its dotted name (prefixed when `prefix` is given).
    public func stateDict(prefix: String = "") -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (name, p) in namedParameters(prefix: prefix) { d[name] = p.value }
        return d
    }

    /// Copies named tensors into the parameters. Keys are first rewritten by `remapping`, then
    /// `prefix` + "." is stripped from them. With `strict` (the default) a missing key, an
    /// unexpected key or a shape mismatch is an error naming the first offenders; without it,
    /// unmatched keys are skipped, but a shape mismatch is still an error.
    /// Returns the names of parameters that were NOT loaded (always empty when strict).
    @discardableResult
    public func loadStateDict(_ tensors: [String: Tensor], prefix: String = "", remapping: KeyRemapping? = nil,
                              strict: Bool = true) throws -> [String] {
        let transforms = remapping.map { [KeyTransform.rename($0)] } ?? []
        return try load(from: TensorDictionary(tensors), prefix: prefix, transforms: transforms, strict: strict).missing
    }

    /// Loads parameters from a `TensorSource` one tensor at a time (PyTorch `load_state_dict`):
    /// the source is seen through `transforms`, and a parameter named `n` reads key `prefix.n`.
    /// Keys of the source outside `prefix` are ignored; inside it, with `strict`, a missing or
    /// unexpected key is an error whose one line names the first offenders. Shapes are checked for
    /// every key before any value is read.
    @discardableResult
    public func load(from source: any TensorSource, prefix: String = "", transforms: [KeyTransform] = [],
                     strict: Bool = true) throws -> LoadReport {
        let view: any TensorSource = transforms.isEmpty ? source : try TransformedSource(source, transforms: transforms)
        let own = namedParameters(prefix: prefix)
        let ownNames = Set(own.map(\.0))
        var missing: [String] = [], mismatched: [String] = []
        for (name, p) in own {
            guard let shape = view.shape(of: name) else { missing.append(name); continue }
            if shape != p.value.shape { mismatched.append("\(name) file \(shape) vs model \(p.value.shape)") }
        }
        let scope = prefix.isEmpty ? "" : prefix + "."
        let unexpected = view.keys.filter { $0.hasPrefix(scope) && !ownNames.contains($0) }
        if !mismatched.isEmpty {
            throw TensorError(kind: "shape-mismatch", "checkpoint shapes differ from the model (\(mismatched.count)): "
                              + mismatched.prefix(5).joined(separator: "; "))
        }
        if strict && (!missing.isEmpty || !unexpected.isEmpty) {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.count): \(missing.prefix(5).joined(separator: ", "))") }
            if !unexpected.isEmpty { parts.append("unexpected \(unexpected.count): \(unexpected.prefix(5).joined(separator: ", "))") }
            throw TensorError(kind: "key-mismatch", "checkpoint keys do not match the model (" + parts.joined(separator: "; ") + ")")
        }
        for (name, p) in own where view.shape(of: name) != nil {
            p.value = try view.tensor(name)
        }
        return LoadReport(loaded: own.count - missing.count, missing: missing, unexpected: unexpected)
    }
}

/// What `Module.load(from:)` did: how many parameters it filled, and the names it could not
/// match (empty when strict).
public struct LoadReport: Sendable, Equatable {
    /// Parameters read from the source.
    public var loaded: Int
    /// Parameters of the model the source did not have.
    public var missing: [String]
    /// Keys under the prefix that the model does not have.
    public var unexpected: [String]
}

extension Module {
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
