// Follows openai/CLIP `clip/model.py`: `VisionTransformer` (conv1 patches, class token,
// positional embedding, ln_pre, transformer, ln_post on the class token, `@ proj`),
// `CLIP.encode_image`, and `build_model`'s reading of the vision shape from the weights. zero123
// (`ldm/modules/encoders/modules.py`, FrozenCLIPImageEmbedder) stores it under
// `cond_stage_model.model.visual.` and uses the unnormalised projected class token.
// Inference only: CLIP is frozen in zero123 and CustomNet, so no backward pass is written.
import Support
import Tensor
import NN

/// The shape of a CLIP vision tower, as openai/CLIP's `build_model` reads it from the weights.
public struct CLIPVisionConfiguration: Sendable, Equatable {
    /// Channels of the residual stream (`conv1.weight.shape[0]`).
    public var width: Int
    /// Residual blocks (`transformer.resblocks.*`).
    public var layers: Int
    /// Attention heads (OpenAI: width / 64).
    public var heads: Int
    /// Patch size (`conv1` kernel).
    public var patchSize: Int
    /// Patches per side (sqrt(positional_embedding rows - 1)).
    public var gridSize: Int
    /// Output embedding width (`proj.shape[1]`).
    public var embedDim: Int
    /// MLP inner width (`c_fc.weight.shape[0]`; 4 x width in every OpenAI model).
    public var mlpWidth: Int

    /// The input resolution, patch size x grid size.
    public var imageSize: Int { patchSize * gridSize }
    /// The sequence length, one class token plus one per patch.
    public var tokens: Int { gridSize * gridSize + 1 }

    /// A configuration; heads default to width / 64 and the MLP to 4 x width, as in OpenAI's models.
    public init(width: Int, layers: Int, patchSize: Int, gridSize: Int, embedDim: Int, heads: Int? = nil, mlpWidth: Int? = nil) {
        self.width = width
        self.layers = layers
        self.patchSize = patchSize
        self.gridSize = gridSize
        self.embedDim = embedDim
        self.heads = heads ?? width / 64
        self.mlpWidth = mlpWidth ?? 4 * width
    }

    /// ViT-L/14 at 224 pixels, zero123's image encoder (1024 wide, 24 layers, 16 heads, 768-d output).
    public static let vitL14 = CLIPVisionConfiguration(width: 1024, layers: 24, patchSize: 14, gridSize: 16, embedDim: 768)

    /// Reads the shape from OpenAI-named tensors under `prefix` as `build_model` does
    /// (`source` already seen through `CLIPKeyTables.vision`).
    public static func inferred(from source: any TensorSource, prefix: String) throws -> CLIPVisionConfiguration {
        let scope = prefix.isEmpty ? "" : prefix + "."
        func shape(_ name: String) throws -> [Int] {
            guard let s = source.shape(of: scope + name) else {
                throw CLIPError(.missingWeights, "CLIP vision tensor \(scope + name) is missing")
            }
            return s
        }
        let conv = try shape("conv1.weight")
        guard conv.count == 4, conv[1] == 3, conv[2] == conv[3] else {
            throw CLIPError(.inconsistentWeights, "\(scope)conv1.weight has shape \(conv), expected [width, 3, patch, patch]")
        }
        let width = conv[0], patch = conv[2]
        let positions = try shape("positional_embedding")
        let grid = Int(Double(max(positions.first ?? 1, 1) - 1).squareRoot().rounded())
        guard positions.count == 2, positions[1] == width, grid > 0, grid * grid + 1 == positions[0] else {
            throw CLIPError(.inconsistentWeights, "\(scope)positional_embedding has shape \(positions), expected [grid^2 + 1, \(width)]")
        }
        let layers = try CLIPKeyTables.countBlocks(in: source, stem: scope + "transformer.resblocks.")
        let projection = try shape("proj")
        guard projection.count == 2, projection[0] == width else {
            throw CLIPError(.inconsistentWeights, "\(scope)proj has shape \(projection), expected [\(width), embed]")
        }
        guard width % 64 == 0 else {
            throw CLIPError(.inconsistentWeights, "CLIP vision width \(width) is not a multiple of 64, so build_model's heads = width / 64 does not apply")
        }
        let mlp = layers > 0 ? try shape("transformer.resblocks.0.mlp.c_fc.weight")[0] : 4 * width
        return CLIPVisionConfiguration(width: width, layers: layers, patchSize: patch, gridSize: grid, embedDim: projection[1], mlpWidth: mlp)
    }
}

// MARK: - The vision tower
/// OpenAI CLIP's `VisionTransformer` with its projection: pixels [B, 3, S, S] (CLIP-normalised)
/// to `encode_image` embeddings [B, embed] = ln_post(class token) @ proj, not normalised.
/// Parameters carry OpenAI names (`conv1.weight`, `transformer.resblocks.0.ln_1.weight`, ...),
/// except that each fused `attn.in_proj_*` is held as `attn.{q,k,v}_proj.*`.
public final class CLIPVisionTransformer: Module {
    /// Where zero123 checkpoints keep the vision tower.
    public static let zero123Prefix = "cond_stage_model.model.visual"

    /// The tower's shape.
    public let configuration: CLIPVisionConfiguration
    /// The bias-free patch convolution (kernel = stride = patch size).
    public let conv1: Conv2d
    /// The class token [width].
    public let classEmbedding: Parameter
    /// Positional embeddings [tokens, width].
    public let positionalEmbedding: Parameter
    /// The norm before the transformer.
    public let lnPre: LayerNorm
    /// The residual blocks (`transformer.resblocks`).
    public let blocks: ModuleList<CLIPResidualBlock>
    /// The norm applied to the class token.
    public let lnPost: LayerNorm
    /// The bias-free output projection [width, embed], applied as x @ proj.
    public let proj: Parameter

    /// A tower of the given shape with OpenAI's initial distributions or zeros (`load` uses zeros).
    public init(_ configuration: CLIPVisionConfiguration, initialization: CLIPInitialization) {
        self.configuration = configuration
        let c = configuration, weights = CLIPWeights(initialization)
        let scale = 1 / Float(c.width).squareRoot()
        conv1 = Conv2d(3, c.width, kernel: c.patchSize, stride: c.patchSize, bias: false, random: &weights.random)
        classEmbedding = Parameter(weights.normal([c.width], std: scale))
        positionalEmbedding = Parameter(weights.normal([c.tokens, c.width], std: scale))
        lnPre = LayerNorm(c.width, eps: 1e-5)
        blocks = ModuleList((0..<c.layers).map { _ in
            CLIPResidualBlock(width: c.width, heads: c.heads, mlpWidth: c.mlpWidth, naming: .openAI, weights: weights)
        })
        lnPost = LayerNorm(c.width, eps: 1e-5)
        proj = Parameter(weights.normal([c.width, c.embedDim], std: scale))
    }

    /// `class_embedding`, `positional_embedding`, `proj`.
    public var localParameters: [(String, Parameter)] {
        [("class_embedding", classEmbedding), ("positional_embedding", positionalEmbedding), ("proj", proj)]
    }

    /// `conv1`, `ln_pre`, `transformer.resblocks`, `ln_post`.
    public var children: [(String, any Module)] {
        [("conv1", conv1), ("ln_pre", lnPre), ("transformer.resblocks", blocks), ("ln_post", lnPost)]
    }

    /// `encode_image`: CLIP-normalised pixels [B, 3, S, S] -> [B, embed], in inference mode.
    public func encode(_ pixels: Tensor) throws -> Tensor {
        let c = configuration
        guard pixels.rank == 4, pixels.shape[1] == 3, pixels.shape[2] == c.imageSize, pixels.shape[3] == c.imageSize else {
            throw CLIPError(.badInput, "CLIP image input has shape \(pixels.shape), expected [B, 3, \(c.imageSize), \(c.imageSize)]")
        }
        return InferenceMode.run { project(classToken(pixels)) }
    }

    /// zero123's `FrozenCLIPImageEmbedder.forward`: an image in [-1, 1], [B, 3, H, W] of any size,
    /// resized and normalised by `CLIPImagePreprocessing`, then `encode`d.
    public func encode(image: Tensor) throws -> Tensor {
        try encode(CLIPImagePreprocessing.preprocess(image, size: configuration.imageSize))
    }

    /// ln_post of the class token after the transformer, [B, width].
    func classToken(_ pixels: Tensor) -> Tensor {
        let c = configuration, batch = pixels.shape[0], width = c.width, tokens = c.tokens
        let patches = imageToTokens(conv1.forward(pixels))
        var x = Tensor(uninitializedShape: [batch, tokens, width])
        let position = positionalEmbedding.value.data, cls = classEmbedding.value.data
        x.data.withUnsafeMutableBufferPointer { xb in
            patches.data.withUnsafeBufferPointer { pb in
                for b in 0..<batch {
                    let row = b * tokens * width
                    for j in 0..<width { xb[row + j] = cls[j] + position[j] }
                    for t in 1..<tokens {
                        let dst = row + t * width, src = (b * (tokens - 1) + t - 1) * width
                        for j in 0..<width { xb[dst + j] = pb[src + j] + position[t * width + j] }
                    }
                }
            }
        }
        x = lnPre.forward(x)
        for block in blocks { x = block.forward(x, causal: false) }
        var first = Tensor(uninitializedShape: [batch, width])
        for b in 0..<batch {
            first.data.withUnsafeMutableBufferPointer { fb in
                x.data.withUnsafeBufferPointer { xb in
                    (fb.baseAddress! + b * width).update(from: xb.baseAddress! + b * tokens * width, count: width)
                }
            }
        }
        return lnPost.forward(first)
    }

    /// x [B, width] @ proj [width, embed].
    func project(_ x: Tensor) -> Tensor {
        linear(x, weight: CLIPKeyTables.transposed(proj.value), bias: nil)
    }

    // MARK: - Loading released weights
    /// Which naming a source uses for the vision tower under `prefix` (OpenAI `conv1.weight`, or
    /// transformers `vision_model.embeddings.patch_embedding.weight`).
    public static func naming(of source: any TensorSource, prefix: String) throws -> CLIPNaming {
        let scope = prefix.isEmpty ? "" : prefix + "."
        if source.shape(of: scope + "conv1.weight") != nil { return .openAI }
        if source.shape(of: scope + "vision_model.embeddings.patch_embedding.weight") != nil
            || source.shape(of: scope + "embeddings.patch_embedding.weight") != nil {
            return .transformers
        }
        throw CLIPError(.missingWeights, "no CLIP vision tower under prefix '\(prefix)': neither \(scope)conv1.weight "
                        + "nor \(scope)vision_model.embeddings.patch_embedding.weight is present")
    }

    /// Builds the tower from a checkpoint: the naming is detected (or given), the shape read from
    /// the tensors' shapes, then every parameter loaded strictly from keys under `prefix`.
    public static func load(from source: any TensorSource, prefix: String = zero123Prefix,
                            naming: CLIPNaming? = nil) throws -> CLIPVisionTransformer {
        let naming = try naming ?? Self.naming(of: source, prefix: prefix)
        let view = try TransformedSource(source, transforms: CLIPKeyTables.vision(naming, prefix: prefix))
        let configuration = try CLIPVisionConfiguration.inferred(from: view, prefix: prefix)
        let model = CLIPVisionTransformer(configuration, initialization: .zeros)
        try model.load(from: view, prefix: prefix)
        return model
    }
}
