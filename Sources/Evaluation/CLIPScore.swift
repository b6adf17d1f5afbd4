// CLIP-I and CLIP-T as DreamBooth (Ruiz et al. 2023, section 4.1) and BLIP-Diffusion define them and
// CustomNet (section 4) reports them: the cosine similarity of CLIP ViT-L/14 image embeddings of the
// generated image and the reference (CLIP-I), and of the generated image's embedding and the
// prompt's text embedding (CLIP-T), raw in [-1, 1] (not x 100, not clipped).
// The embeddings are transformers `CLIPModel.get_image_features` (= openai/CLIP `encode_image`:
// ln_post(class token) @ proj) and `get_text_features` (= `encode_text`: the final-norm hidden
// state at the end-of-text token, i.e. the position of the largest id in each row, `argmax`, then
// `text_projection`, bias-free), from transformers `models/clip/modeling_clip.py`.
import Foundation
import Support
import Tensor
import NN
import Diffusion

/// CLIP-I / CLIP-T with a CLIP the user points at: OpenAI state dicts (`visual.*`, `token_embedding`,
/// `transformer.resblocks.*`, `text_projection`), transformers `CLIPModel` files (`vision_model.*`,
/// `text_model.*`, `visual_projection.weight`, `text_projection.weight`), or the CLIP parts of
/// zero123 / CustomNet checkpoints (`cond_stage_model.model.visual.*` and
/// `cond_stage_model.model.text_projection`, CustomNet's text tower under
/// `text_encoder.transformer.text_model.*`), several files combined.
/// TorchScript archives (openai/CLIP's downloadable `ViT-L-14.pt`) are not read: save their
/// `state_dict()` first.
public final class CLIPScore {
    /// The image tower with its projection.
    public let vision: CLIPVisionTransformer
    /// The text tower, its projection [embed, width] (transformers layout) and the tokenizer,
    /// when the weights (and a vocabulary) have them.
    public let text: CLIPTextTransformer?, textProjection: Tensor?, tokenizer: CLIPTokenizer?
    /// CLIP's preprocessing at the tower's resolution.
    public let preprocessing: EmbeddingPreprocessing
    /// Where each part was found, for reports.
    public let provenance: [String: String]

    /// Finds the towers in `source`; `vocabulary` is the CLIP BPE file (`bpe_simple_vocab_16e6.txt.gz`,
    /// or transformers' `vocab.json` with `merges.txt` beside it), needed for CLIP-T from prompts.
    public init(source: any TensorSource, vocabulary: String? = nil) throws {
        var provenance: [String: String] = [:]
        var found: CLIPVisionTransformer?
        var errors: [String] = []
        for prefix in ["", "visual", CLIPVisionTransformer.zero123Prefix, "model.visual"] {
            do {
                _ = try CLIPVisionTransformer.naming(of: source, prefix: prefix)
                found = try CLIPVisionTransformer.load(from: source, prefix: prefix)
                provenance["image"] = prefix.isEmpty ? "(top level)" : prefix
                break
            } catch {
                errors.append("\(prefix.isEmpty ? "(top level)" : prefix): \(error)")
            }
        }
        guard let found else {
            throw EvaluationError(.badWeights, "no CLIP image tower in the weights (" + errors.joined(separator: "; ").prefix(400) + ")")
        }
        vision = found
        var p = EmbeddingPreprocessing.clip
        p.resize = found.configuration.imageSize
        p.crop = found.configuration.imageSize
        preprocessing = p

        var textTower: CLIPTextTransformer?
        for prefix in ["", CLIPTextTransformer.customNetPrefix, "cond_stage_model.model", "model"] {
            let scope = prefix.isEmpty ? "" : prefix + "."
            let hasBlocks = source.keys.contains { $0.hasPrefix(scope + "transformer.resblocks.0.") || $0.hasPrefix(scope + "text_model.encoder.layers.0.") }
            guard hasBlocks, (try? CLIPTextTransformer.naming(of: source, prefix: prefix)) != nil else { continue }
            if let tower = try? CLIPTextTransformer.load(from: source, prefix: prefix) {
                textTower = tower
                provenance["text"] = prefix.isEmpty ? "(top level)" : prefix
                break
            }
        }
        var projection: Tensor?
        for (key, transposed) in [("text_projection.weight", false), ("text_projection", true),
                                  ("cond_stage_model.model.text_projection", true), ("model.text_projection", true)] {
            guard let shape = source.shape(of: key), shape.count == 2 else { continue }
            let t = try source.tensor(key)
            projection = transposed ? Self.transpose(t) : t
            provenance["text_projection"] = key
            break
        }
        if let textTower, let p = projection, p.shape[1] != textTower.configuration.width || p.shape[0] != vision.configuration.embedDim {
            throw EvaluationError(.badWeights, "text_projection has shape \(p.shape), expected [\(vision.configuration.embedDim), \(textTower.configuration.width)]")
        }
        text = textTower
        textProjection = textTower == nil ? nil : projection
        if let vocabulary {
            do {
                if vocabulary.hasSuffix(".json") {
                    let merges = (vocabulary as NSString).deletingLastPathComponent + "/merges.txt"
                    tokenizer = try CLIPTokenizer(vocabJSON: String(contentsOfFile: vocabulary, encoding: .utf8),
                                                  merges: String(contentsOfFile: merges, encoding: .utf8))
                } else {
                    tokenizer = try CLIPTokenizer(vocabularyFile: vocabulary)
                }
            } catch {
                throw EvaluationError(.badInput, "CLIP vocabulary \(vocabulary): \(error)")
            }
        } else {
            tokenizer = nil
        }
        self.provenance = provenance
    }

    /// Opens the files (PyTorch archives or safetensors, combined).
    public convenience init(files: [String], vocabulary: String? = nil) throws {
        try self.init(source: try WeightFiles.open(files), vocabulary: vocabulary)
    }

    /// Whether text embeddings can be made (tower, projection and tokenizer).
    public var canEmbedText: Bool { text != nil && textProjection != nil && tokenizer != nil }

    /// `get_image_features` of images through CLIP's preprocessing, [B, embed].
    public func imageEmbeddings(_ images: [MetricImage]) throws -> Tensor {
        try vision.encode(try preprocessing.pixels(images))
    }

    /// `get_image_features` of already-normalised pixels [B, 3, S, S].
    public func imageEmbeddings(pixels: Tensor) throws -> Tensor {
        try vision.encode(pixels)
    }

    /// `get_text_features` of token rows (each with its end-of-text token, the largest id), [B, embed].
    public func textEmbeddings(tokens: [[Int]]) throws -> Tensor {
        guard let text, let textProjection else {
            throw EvaluationError(.badWeights, "the CLIP weights have no text tower with a text_projection")
        }
        let hidden = try text.encode(tokens: tokens)
        let length = tokens[0].count, width = text.configuration.width
        var pooled = Tensor(shape: [tokens.count, width])
        for (b, ids) in tokens.enumerated() {
            let end = ids.indices.max { ids[$0] < ids[$1] || (ids[$0] == ids[$1] && $0 > $1) } ?? 0
            for j in 0..<width { pooled.data[b * width + j] = hidden.data[(b * length + end) * width + j] }
        }
        return linear(pooled, weight: textProjection, bias: nil)
    }

    /// `get_text_features` of prompts tokenised to 77 ids (start, BPE, end-of-text, padding).
    public func textEmbeddings(_ prompts: [String]) throws -> Tensor {
        guard let tokenizer else { throw EvaluationError(.badInput, "CLIP-T needs the CLIP vocabulary (--clip-vocab)") }
        return try textEmbeddings(tokens: prompts.map { tokenizer.tokenize($0) })
    }

    /// CLIP-I: cos(image(prediction), image(reference)).
    public func imageSimilarity(_ prediction: MetricImage, _ reference: MetricImage) throws -> Double {
        let e = try imageEmbeddings([prediction, reference])
        return cosineSimilarity(row(e, 0), row(e, 1))
    }

    static func transpose(_ t: Tensor) -> Tensor {
        let r = t.shape[0], c = t.shape[1]
        var out = Tensor(shape: [c, r])
        for i in 0..<r { for j in 0..<c { out.data[j * r + i] = t.data[i * c + j] } }
        return out
    }
}
