// Follows transformers `models/clip/convert_clip_original_pytorch_to_hf.py` (the openai/CLIP ->
// transformers renames: conv1 -> patch_embedding, positional_embedding -> position_embedding,
// ln_pre -> pre_layrnorm, in_proj chunked in 3 on dim 0 -> q/k/v_proj, ln_1/2 -> layer_norm1/2,
// c_fc/c_proj -> fc1/fc2, ln_post -> post_layernorm, visual_projection.weight = proj^T) and
// zero123 / CustomNet's key prefixes (`cond_stage_model.model.`, `text_encoder.transformer.`).
import Tensor
import NN

/// The key tables that let both CLIP towers load OpenAI-named and transformers-named files.
public enum CLIPKeyTables {
    /// The transforms that present `naming`-named vision keys under `prefix` in the model's names
    /// (OpenAI names, with each fused `attn.in_proj_*` split into `attn.{q,k,v}_proj.*`).
    public static func vision(_ naming: CLIPNaming, prefix: String) -> [KeyTransform] {
        switch naming {
        case .openAI:
            return [scoped(prefix) { key, shape in
                guard let block = blockKey(key, stem: "transformer.resblocks.") else { return nil }
                return splitInProjection(block.rest, shape: shape, into: "transformer.resblocks.\(block.index).attn.")
            }]
        case .transformers:
            return [scoped(prefix) { key, shape in
                if isOtherTower(key, keep: .vision) { return [] }
                if key == "visual_projection.weight" {
                    guard shape.count == 2 else { return nil }
                    return [KeyTransform.Entry(key: "proj", shape: [shape[1], shape[0]], derive: { transposed($0) })]
                }
                let inner = key.hasPrefix("vision_model.") ? String(key.dropFirst("vision_model.".count)) : key
                let renamed: String
                switch inner {
                case "embeddings.patch_embedding.weight": renamed = "conv1.weight"
                case "embeddings.class_embedding": renamed = "class_embedding"
                case "embeddings.position_embedding.weight": renamed = "positional_embedding"
                default:
                    if let rest = inner.dropPrefix("pre_layrnorm.") {
                        renamed = "ln_pre." + rest
                    } else if let rest = inner.dropPrefix("post_layernorm.") {
                        renamed = "ln_post." + rest
                    } else if let block = blockKey(inner, stem: "encoder.layers."),
                              let mapped = rename(block.rest, transformersToOpenAI) {
                        renamed = "transformer.resblocks.\(block.index)." + mapped
                    } else {
                        return nil
                    }
                }
                return [KeyTransform.Entry(key: renamed, shape: shape) { $0 }]
            }]
        }
    }

    /// The transforms that present `naming`-named text keys under `prefix` in the model's names
    /// (transformers `CLIPTextModel` names under `text_model.`, as CustomNet stores them).
    public static func text(_ naming: CLIPNaming, prefix: String) -> [KeyTransform] {
        switch naming {
        case .openAI:
            return [scoped(prefix) { key, shape in
                if key.hasPrefix("visual.") || key == "text_projection" || key == "logit_scale" { return [] }
                let renamed: String
                switch key {
                case "token_embedding.weight": renamed = "text_model.embeddings.token_embedding.weight"
                case "positional_embedding": renamed = "text_model.embeddings.position_embedding.weight"
                default:
                    if let rest = key.dropPrefix("ln_final.") {
                        renamed = "text_model.final_layer_norm." + rest
                    } else if let block = blockKey(key, stem: "transformer.resblocks.") {
                        let stem = "text_model.encoder.layers.\(block.index)."
                        if let split = splitInProjection(block.rest, shape: shape, into: stem + "self_attn.") { return split }
                        guard let mapped = rename(block.rest, openAIToTransformers) else { return nil }
                        renamed = stem + mapped
                    } else {
                        return nil
                    }
                }
                return [KeyTransform.Entry(key: renamed, shape: shape) { $0 }]
            }]
        case .transformers:
            return [scoped(prefix) { key, shape in
                if isOtherTower(key, keep: .text) { return [] }
                for stem in ["embeddings.", "encoder.", "final_layer_norm."] where key.hasPrefix(stem) {
                    return [KeyTransform.Entry(key: "text_model." + key, shape: shape) { $0 }]
                }
                return nil
            }]
        }
    }

    /// Block-internal names, transformers -> OpenAI (q/k/v keep their split names).
    static let transformersToOpenAI: [(String, String)] = [
        ("self_attn.q_proj.", "attn.q_proj."), ("self_attn.k_proj.", "attn.k_proj."), ("self_attn.v_proj.", "attn.v_proj."),
        ("self_attn.out_proj.", "attn.out_proj."), ("layer_norm1.", "ln_1."), ("layer_norm2.", "ln_2."),
        ("mlp.fc1.", "mlp.c_fc."), ("mlp.fc2.", "mlp.c_proj."),
    ]

    /// Block-internal names, OpenAI -> transformers (the fused in_proj is handled apart).
    static let openAIToTransformers: [(String, String)] = transformersToOpenAI.map { ($0.1, $0.0) }

    /// A transform that sees only keys under `prefix`, with the prefix removed, and puts it back.
    static func scoped(_ prefix: String,
                       _ rewrite: @escaping @Sendable (_ key: String, _ shape: [Int]) -> [KeyTransform.Entry]?) -> KeyTransform {
        let scope = prefix.isEmpty ? "" : prefix + "."
        return KeyTransform { key, shape in
            guard key.hasPrefix(scope), let entries = rewrite(String(key.dropFirst(scope.count)), shape) else { return nil }
            return entries.map { KeyTransform.Entry(key: scope + $0.key, shape: $0.shape, derive: $0.derive) }
        }
    }

    /// Counts the blocks `<stem>0.`, `<stem>1.`, ... of a source; throws when the indices have gaps.
    static func countBlocks(in source: any TensorSource, stem: String) throws -> Int {
        var indices = Set<Int>()
        for key in source.keys where key.hasPrefix(stem) {
            let tail = key.dropFirst(stem.count)
            if let dot = tail.firstIndex(of: "."), let index = Int(tail[..<dot]) { indices.insert(index) }
        }
        guard indices.count == (indices.max().map { $0 + 1 } ?? 0) else {
            throw CLIPError(.inconsistentWeights, "blocks under \(stem) have indices \(indices.sorted()), expected 0..<\(indices.count)")
        }
        return indices.count
    }

    /// Splits `key` = "<stem><index>.<rest>" into (index, rest).
    static func blockKey(_ key: String, stem: String) -> (index: Int, rest: String)? {
        guard let tail = key.dropPrefix(stem), let dot = tail.firstIndex(of: "."), let index = Int(tail[..<dot]) else { return nil }
        return (index, String(tail[tail.index(after: dot)...]))
    }

    /// Replaces the first matching leading name of `rest` through `table`.
    static func rename(_ rest: String, _ table: [(String, String)]) -> String? {
        for (from, to) in table { if let tail = rest.dropPrefix(from) { return to + tail } }
        return nil
    }

    /// `attn.in_proj_weight` [3w, w] / `attn.in_proj_bias` [3w] as q, k, v entries under `stem`
    /// (PyTorch `nn.MultiheadAttention` stacks q, k, v in that order on dim 0).
    static func splitInProjection(_ rest: String, shape: [Int], into stem: String) -> [KeyTransform.Entry]? {
        let suffix: String
        switch rest {
        case "attn.in_proj_weight": suffix = "weight"
        case "attn.in_proj_bias": suffix = "bias"
        default: return nil
        }
        guard let rows = shape.first, rows % 3 == 0 else { return nil }
        let partShape = [rows / 3] + shape.dropFirst()
        return ["q_proj", "k_proj", "v_proj"].enumerated().map { index, name in
            KeyTransform.Entry(key: stem + name + "." + suffix, shape: partShape) { fused in
                let size = fused.count / 3
                return Tensor(shape: partShape, data: Array(fused.data[(index * size)..<((index + 1) * size)]))
            }
        }
    }

    /// Whether a transformers key belongs to the other tower or to `CLIPModel`'s joint head
    /// (dropped, so a whole `CLIPModel` file loads one tower strictly).
    static func isOtherTower(_ key: String, keep tower: Tower) -> Bool {
        if key.hasSuffix("position_ids") || key == "logit_scale" { return true }
        switch tower {
        case .vision: return key.hasPrefix("text_model.") || key == "text_projection.weight"
        case .text: return key.hasPrefix("vision_model.") || key == "visual_projection.weight" || key == "text_projection.weight"
        }
    }

    /// The two towers of a CLIP checkpoint.
    enum Tower { case vision, text }

    /// A 2-D tensor transposed ([r, c] -> [c, r]).
    static func transposed(_ t: Tensor) -> Tensor {
        let rows = t.shape[0], columns = t.shape[1]
        var out = Tensor(shape: [columns, rows])
        for r in 0..<rows { for c in 0..<columns { out.data[c * rows + r] = t.data[r * columns + c] } }
        return out
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil when it does not start with it.
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
