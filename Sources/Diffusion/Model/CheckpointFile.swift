// Opens the files zero123 / CustomNet release (PyTorch zip archives) and the safetensors files
// `cn-model convert` writes.
import Foundation
import NN

/// Opens a checkpoint as a `TensorSource` by its kind: `.ckpt` / `.pt` / `.bin` (PyTorch zip
/// archives, read through the restricted unpickler), `.safetensors` (memory-mapped), or a
/// diffusers folder (renamed to ldm names by `DiffusersFolder`).
public enum CheckpointFile {
    /// The checkpoint at `path`; with `ema`, the UNet's keys are served from `model_ema.*`.
    public static func open(_ path: String, ema: Bool) throws -> any TensorSource {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ModelError(.unreadableCheckpoint, "checkpoint \(path) does not exist")
        }
        if isFolder.boolValue {
            guard DiffusersFolder.isFolder(path) else {
                throw ModelError(.unreadableCheckpoint, "\(path) is a folder but not a diffusers one (no unet/ or vae/ config.json); give a .ckpt, .pt, .bin or .safetensors file")
            }
            guard !ema else { throw ModelError(.badInput, "a diffusers folder holds one set of weights; drop --ema") }
            return try DiffusersFolder(path: path).source
        }
        let source: any TensorSource
        if path.lowercased().hasSuffix(".safetensors") {
            source = try SafetensorsFile(path: path)
        } else {
            source = try TorchCheckpoint(path: path)
        }
        return ema ? try EMAWeights(source) : source
    }
}

/// What a checkpoint holds, part by part, for `cn-model info`.
public struct CheckpointSummary {
    /// One part: its name, key prefix, parameter and tensor counts.
    public struct Part {
        /// Display name.
        public let name: String
        /// Key prefix in ldm naming.
        public let prefix: String
        /// Scalar count.
        public let parameters: Int
        /// Tensor count.
        public let tensors: Int
    }

    /// The variant shown by the UNet's keys.
    public let variant: ModelVariant?
    /// The parts present.
    public let parts: [Part]
    /// Tensors outside every part (schedule buffers, logit_scale, ...), EMA copies excluded.
    public let otherTensors: Int
    /// Whether `model_ema.*` weights exist.
    public let hasEMA: Bool
    /// Stored dtype -> tensor count, where the source knows it.
    public let dtypes: [String: Int]

    /// Summarises `source`.
    public init(source: any TensorSource) {
        let prefixes: [(String, String)] = [
            ("unet", ViewSynthesisModel.Prefix.unet), ("vae", ViewSynthesisModel.Prefix.autoencoder),
            ("clip-image", ViewSynthesisModel.Prefix.imageEncoder), ("cc_projection", ViewSynthesisModel.Prefix.projection),
            ("clip-text", ViewSynthesisModel.Prefix.textEncoder),
        ]
        var parts: [Part] = [], claimed = 0
        let keys = source.keys
        for (name, prefix) in prefixes {
            let own = keys.filter { $0.hasPrefix(prefix + ".") }
            guard !own.isEmpty else { continue }
            claimed += own.count
            let count = own.reduce(0) { $0 + (source.shape(of: $1)?.reduce(1, *) ?? 0) }
            parts.append(Part(name: name, prefix: prefix + ".*", parameters: count, tensors: own.count))
        }
        let ema = keys.filter { $0.hasPrefix("model_ema.") }
        variant = ModelVariant.detect(in: source, unetPrefix: ViewSynthesisModel.Prefix.unet + ".")
        self.parts = parts
        hasEMA = !ema.isEmpty
        otherTensors = keys.count - claimed - ema.count
        var dtypes: [String: Int] = [:]
        if let checkpoint = source as? TorchCheckpoint {
            for key in keys { if let stored = checkpoint.reference(key)?.dtype { dtypes["\(stored)", default: 0] += 1 } }
        }
        self.dtypes = dtypes
    }
}
