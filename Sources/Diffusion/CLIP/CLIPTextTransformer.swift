// Follows transformers `models/clip/modeling_clip.py` (`CLIPTextModel` / `CLIPTextTransformer`:
// token + position embeddings, causal pre-LN encoder, final_layer_norm -> last_hidden_state) as
// ldm's `FrozenCLIPEmbedder` (`ldm/modules/encoders/modules.py`) uses it for CustomNet's 77-token
// text context, with openai/CLIP `clip/model.py`'s text tower (`token_embedding`,
// `positional_embedding`, `transformer.resblocks`, `ln_final`) accepted through `CLIPKeyTables`.
// Inference only: CLIP is frozen in zero123 and CustomNet, so no backward pass is written.
import Support
import Tensor
import NN

/// The shape of a CLIP text tower, read from the weights.
public struct CLIPTextConfiguration: Sendable, Equatable {
    /// Vocabulary size (`token_embedding.weight.shape[0]`; 49408 for OpenAI's BPE).
    public var vocabularySize: Int
    /// Channels of the residual stream.
    public var width: Int
    /// Encoder layers.
    public var layers: Int
    /// Attention heads (OpenAI: width / 64).
    public var heads: Int
    /// Positions (the context length, 77).
    public var maxPositions: Int
    /// MLP inner width (4 x width in OpenAI's models).
    public var mlpWidth: Int

    /// A configuration; heads default to width / 64 and the MLP to 4 x width.
    public init(vocabularySize: Int, width: Int, layers: Int, maxPositions: Int = 77, heads: Int? = nil, mlpWidth: Int? = nil) {
        self.vocabularySize = vocabularySize
        self.width = width
        self.layers = layers
        self.maxPositions = maxPositions
        self.heads = heads ?? width / 64
        self.mlpWidth = mlpWidth ?? 4 * width
    }

    /// CLIP ViT-L/14's text tower (`openai/clip-vit-large-patch14`), CustomNet's text encoder.
    public static let clipL = CLIPTextConfiguration(vocabularySize: 49408, width: 768, layers: 12)

    /// Reads the shape from transformers-named tensors under `prefix` (`source` already seen
    /// through `CLIPKeyTables.text`); `heads` overrides width / 64.
    public static func inferred(from source: any TensorSource, prefix: String, heads: Int? = nil) throws -> CLIPTextConfiguration {
        let scope = (prefix.isEmpty ? "" : prefix + ".") + "text_model."
        func shape(_ name: String) throws -> [Int] {
            guard let s = source.shape(of: scope + name) else {
                throw CLIPError(.missingWeights, "CLIP text tensor \(scope + name) is missing")
            }
            return s
        }
        let tokens = try shape("embeddings.token_embedding.weight")
        guard tokens.count == 2 else {
            throw CLIPError(.inconsistentWeights, "\(scope)embeddings.token_embedding.weight has shape \(tokens), expected [vocabulary, width]")
        }
        let positions = try shape("embeddings.position_embedding.weight")
        guard positions.count == 2, positions[1] == tokens[1] else {
            throw CLIPError(.inconsistentWeights, "\(scope)embeddings.position_embedding.weight has shape \(positions), expected [positions, \(tokens[1])]")
        }
        let width = tokens[1], heads = heads ?? width / 64
        guard heads > 0, width % heads == 0 else {
            throw CLIPError(.inconsistentWeights, "CLIP text width \(width) cannot be split into \(heads) heads")
        }
        let layers = try CLIPKeyTables.countBlocks(in: source, stem: scope + "encoder.layers.")
        let mlp = layers > 0 ? try shape("encoder.layers.0.mlp.fc1.weight")[0] : 4 * width
        return CLIPTextConfiguration(vocabularySize: tokens[0], width: width, layers: layers, maxPositions: positions[0],
                                     heads: heads, mlpWidth: mlp)
    }
}

/// A lookup table (PyTorch `nn.Embedding`): `weight` [count, width], one row per id.
public final class CLIPEmbedding: Module {
    /// The rows [count, width].
    public let weight: Parameter

    /// A table of `count` rows of `width` values drawn from N(0, std^2), or zeros.
    init(count: Int, width: Int, std: Float, weights: CLIPWeights) {
        weight = Parameter(weights.normal([count, width], std: std))
    }

    /// `weight`.
    public var localParameters: [(String, Parameter)] { [("weight", weight)] }

    /// Row `index` of the table.
    func row(_ index: Int) -> ArraySlice<Float> {
        let width = weight.value.shape[1]
        return weight.value.data[(index * width)..<((index + 1) * width)]
    }
}

/// transformers' `CLIPTextModel` (ldm `FrozenCLIPEmbedder`'s transformer): token ids [B, L]
/// (L <= 77) to `last_hidden_state` [B, L, width] after `final_layer_norm`, with causal
/// self-attention and QuickGELU. Parameters carry transformers names under `text_model.`.
public final class CLIPTextTransformer: Module {
    /// Where CustomNet checkpoints keep the text encoder (`text_encoder.transformer.text_model.*`).
    public static let customNetPrefix = "text_encoder.transformer"

    /// The tower's shape.
    public let configuration: CLIPTextConfiguration
    /// Token and position embeddings.
    public let tokenEmbedding: CLIPEmbedding, positionEmbedding: CLIPEmbedding
    /// The encoder layers (`text_model.encoder.layers`).
    public let layers: ModuleList<CLIPResidualBlock>
    /// The norm after the last layer.
    public let finalLayerNorm: LayerNorm

    /// A tower of the given shape with OpenAI's initial distributions or zeros (`load` uses zeros).
    public init(_ configuration: CLIPTextConfiguration, initialization: CLIPInitialization) {
        self.configuration = configuration
        let c = configuration, weights = CLIPWeights(initialization)
        tokenEmbedding = CLIPEmbedding(count: c.vocabularySize, width: c.width, std: 0.02, weights: weights)
        positionEmbedding = CLIPEmbedding(count: c.maxPositions, width: c.width, std: 0.01, weights: weights)
        layers = ModuleList((0..<c.layers).map { _ in
            CLIPResidualBlock(width: c.width, heads: c.heads, mlpWidth: c.mlpWidth, naming: .transformers, weights: weights)
        })
        finalLayerNorm = LayerNorm(c.width, eps: 1e-5)
    }

    /// `text_model.{embeddings.token_embedding, embeddings.position_embedding, encoder.layers, final_layer_norm}`.
    public var children: [(String, any Module)] {
        [("text_model.embeddings.token_embedding", tokenEmbedding), ("text_model.embeddings.position_embedding", positionEmbedding),
         ("text_model.encoder.layers", layers), ("text_model.final_layer_norm", finalLayerNorm)]
    }

    /// `last_hidden_state` [B, L, width] for token ids, one row of L ids per batch item, in inference mode.
    public func encode(tokens: [[Int]]) throws -> Tensor {
        let c = configuration
        guard let length = tokens.first?.count, length > 0, tokens.allSatisfy({ $0.count == length }) else {
            throw CLIPError(.badTokens, "CLIP text input needs one or more rows of the same non-zero length, got lengths \(tokens.map(\.count))")
        }
        guard length <= c.maxPositions else {
            throw CLIPError(.badTokens, "CLIP text input has \(length) tokens per row, more than the model's \(c.maxPositions) positions")
        }
        if let bad = tokens.joined().first(where: { $0 < 0 || $0 >= c.vocabularySize }) {
            throw CLIPError(.badTokens, "token id \(bad) is outside the vocabulary of \(c.vocabularySize)")
        }
        return InferenceMode.run {
            var x = Tensor(shape: [tokens.count, length, c.width])
            for (b, row) in tokens.enumerated() {
                for (position, id) in row.enumerated() {
                    let base = (b * length + position) * c.width
                    let token = tokenEmbedding.row(id), place = positionEmbedding.row(position)
                    for (j, (t, p)) in zip(token, place).enumerated() { x.data[base + j] = t + p }
                }
            }
            for layer in layers { x = layer.forward(x, causal: true) }
            return finalLayerNorm.forward(x)
        }
    }

    /// Which naming a source uses for the text tower under `prefix` (OpenAI `token_embedding.weight`,
    /// or transformers `[text_model.]embeddings.token_embedding.weight`).
    public static func naming(of source: any TensorSource, prefix: String) throws -> CLIPNaming {
        let scope = prefix.isEmpty ? "" : prefix + "."
        if source.shape(of: scope + "token_embedding.weight") != nil { return .openAI }
        if source.shape(of: scope + "text_model.embeddings.token_embedding.weight") != nil
            || source.shape(of: scope + "embeddings.token_embedding.weight") != nil {
            return .transformers
        }
        throw CLIPError(.missingWeights, "no CLIP text tower under prefix '\(prefix)': neither \(scope)token_embedding.weight "
                        + "nor \(scope)text_model.embeddings.token_embedding.weight is present")
    }

    /// Builds the tower from a checkpoint: the naming is detected (or given), the shape read from
    /// the tensors (heads = width / 64 unless given), then every parameter loaded strictly.
    public static func load(from source: any TensorSource, prefix: String = customNetPrefix,
                            naming: CLIPNaming? = nil, heads: Int? = nil) throws -> CLIPTextTransformer {
        let naming = try naming ?? Self.naming(of: source, prefix: prefix)
        let view = try TransformedSource(source, transforms: CLIPKeyTables.text(naming, prefix: prefix))
        let configuration = try CLIPTextConfiguration.inferred(from: view, prefix: prefix, heads: heads)
        let model = CLIPTextTransformer(configuration, initialization: .zeros)
        try model.load(from: view, prefix: prefix)
        return model
    }
}
