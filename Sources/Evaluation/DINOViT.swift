// Follows facebookresearch/dino `vision_transformer.py` (`VisionTransformer`, `Block`, `Attention`,
// `Mlp`, `PatchEmbed`, `vit_small`: patch 16, embed_dim 384, depth 12, num_heads 6, mlp_ratio 4,
// qkv_bias True, LayerNorm eps 1e-6, GELU (erf); `forward` returns `norm(x)[:, 0]`, the class
// token) and the key layout of the released `dino_deitsmall16_pretrain.pth` (timm names:
// `patch_embed.proj`, `cls_token`, `pos_embed`, `blocks.{i}.norm1`, `.attn.qkv`, `.attn.proj`,
// `.norm2`, `.mlp.fc1`, `.mlp.fc2`, `norm`). DreamBooth's DINO score (Ruiz et al. 2023, section 4.1)
// is the cosine similarity of these class tokens.
import Support
import Tensor
import NN

/// The shape of a DINO ViT, read from its weights (heads are not stored: 6 for ViT-S).
public struct DINOConfiguration: Sendable, Equatable {
    /// Token width, blocks, heads, patch size, patches per side, MLP width.
    public var width: Int, depth: Int, heads: Int, patchSize: Int, gridSize: Int, mlpWidth: Int

    /// ViT-S/16 at 224 (`vit_small(patch_size=16)`).
    public static let vitSmall16 = DINOConfiguration(width: 384, depth: 12, heads: 6, patchSize: 16, gridSize: 14, mlpWidth: 1536)

    /// The input side (patch x grid).
    public var imageSize: Int { patchSize * gridSize }

    /// Reads the shape from `source` (heads given).
    public static func inferred(from source: any TensorSource, heads: Int = 6) throws -> DINOConfiguration {
        guard let patch = source.shape(of: "patch_embed.proj.weight"), patch.count == 4, patch[1] == 3,
              let positions = source.shape(of: "pos_embed"), positions.count == 3,
              let fc1 = source.shape(of: "blocks.0.mlp.fc1.weight") else {
            throw EvaluationError(.badWeights, "no DINO ViT (patch_embed.proj.weight, pos_embed, blocks.0.mlp.fc1.weight) in the weights")
        }
        var depth = 0
        while source.shape(of: "blocks.\(depth).norm1.weight") != nil { depth += 1 }
        let grid = Int(Double(positions[1] - 1).squareRoot().rounded())
        guard grid * grid + 1 == positions[1], patch[0] % heads == 0 else {
            throw EvaluationError(.badWeights, "DINO pos_embed \(positions) is not 1 + a square grid, or width \(patch[0]) is not divisible by \(heads) heads")
        }
        return DINOConfiguration(width: patch[0], depth: depth, heads: heads, patchSize: patch[2], gridSize: grid, mlpWidth: fc1[0])
    }
}

/// One pre-LN block: x += proj(attention(qkv(norm1 x))); x += fc2(gelu(fc1(norm2 x))).
public final class DINOBlock: Module {
    public let norm1: LayerNorm, qkv: FrozenLinear, proj: FrozenLinear, norm2: LayerNorm, fc1: FrozenLinear, fc2: FrozenLinear
    let heads: Int

    init(_ c: DINOConfiguration) {
        norm1 = LayerNorm(c.width, eps: 1e-6)
        qkv = FrozenLinear(c.width, 3 * c.width)
        proj = FrozenLinear(c.width, c.width)
        norm2 = LayerNorm(c.width, eps: 1e-6)
        fc1 = FrozenLinear(c.width, c.mlpWidth)
        fc2 = FrozenLinear(c.mlpWidth, c.width)
        heads = c.heads
    }

    /// timm's names.
    public var children: [(String, any Module)] {
        [("norm1", norm1), ("attn.qkv", qkv), ("attn.proj", proj), ("norm2", norm2), ("mlp.fc1", fc1), ("mlp.fc2", fc2)]
    }

    /// The block on tokens [B, L, width]. qkv's output is (3, heads, d) per token
    /// (`reshape(B, N, 3, heads, C // heads)`), so q, k, v are its three column blocks and each
    /// head a column block of those, the layout `scaledDotProductAttention` takes.
    func forward(_ x: Tensor) -> Tensor {
        let width = x.shape[2]
        let parts = split(qkv.forward(norm1.forward(x)), sizes: [width, width, width], axis: 2)
        let (attended, probabilities) = scaledDotProductAttention(q: parts[0], k: parts[1], v: parts[2], heads: heads)
        BufferPool.shared.recycle(probabilities.data)
        var h = x
        h.addInPlace(proj.forward(attended))
        var y = h
        y.addInPlace(fc2.forward(gelu(fc1.forward(norm2.forward(h)))))
        return y
    }
}

/// DINO's ViT: normalised pixels [B, 3, S, S] (S = patch x grid) to the class token after the final norm.
public final class DINOViT: Module {
    public let configuration: DINOConfiguration
    public let patchEmbed: FrozenConv2d
    public let clsToken: Parameter, posEmbed: Parameter
    public let blocks: ModuleList<DINOBlock>
    public let norm: LayerNorm

    /// A zero model of the given shape (load it).
    public init(_ c: DINOConfiguration) {
        configuration = c
        patchEmbed = FrozenConv2d(3, c.width, kernel: c.patchSize, stride: c.patchSize)
        clsToken = Parameter(Tensor(shape: [1, 1, c.width]))
        posEmbed = Parameter(Tensor(shape: [1, c.gridSize * c.gridSize + 1, c.width]))
        blocks = ModuleList((0..<c.depth).map { _ in DINOBlock(c) })
        norm = LayerNorm(c.width, eps: 1e-6)
    }

    /// `cls_token`, `pos_embed`.
    public var localParameters: [(String, Parameter)] { [("cls_token", clsToken), ("pos_embed", posEmbed)] }

    /// `patch_embed.proj`, `blocks`, `norm`.
    public var children: [(String, any Module)] { [("patch_embed.proj", patchEmbed), ("blocks", blocks), ("norm", norm)] }

    /// Loads a DINO checkpoint: `dino_deitsmall16_pretrain.pth` (keys at the top level), or a
    /// training checkpoint's `teacher` / `student` dict with `module.` / `backbone.` prefixes.
    public static func load(from source: any TensorSource, heads: Int = 6) throws -> DINOViT {
        var view = source
        for prefix in ["module.backbone.", "backbone.", "module."] where source.shape(of: prefix + "cls_token") != nil {
            view = try TransformedSource(source, transforms: [KeyTransform { key, shape in
                key.hasPrefix(prefix) ? [KeyTransform.Entry(key: String(key.dropFirst(prefix.count)), shape: shape) { $0 }] : []
            }])
            break
        }
        // The DINO heads (`head.*`, absent from the pretrain file) are not part of the backbone.
        view = try TransformedSource(view, transforms: [KeyTransform { key, _ in key.hasPrefix("head.") ? [] : nil }])
        let model = DINOViT(try DINOConfiguration.inferred(from: view, heads: heads))
        do {
            try model.load(from: view)
        } catch {
            throw EvaluationError(.badWeights, "DINO ViT weights: \(error)")
        }
        return model
    }

    /// The class tokens [B, width] after the final norm, in inference mode.
    public func embed(_ pixels: Tensor) throws -> Tensor {
        let c = configuration
        guard pixels.rank == 4, pixels.shape[1] == 3, pixels.shape[2] == c.imageSize, pixels.shape[3] == c.imageSize else {
            throw EvaluationError(.badImage, "DINO input has shape \(pixels.shape), expected [B, 3, \(c.imageSize), \(c.imageSize)]")
        }
        return InferenceMode.run {
            let batch = pixels.shape[0], tokens = c.gridSize * c.gridSize + 1, width = c.width
            let patches = imageToTokens(patchEmbed.forward(pixels))
            var x = Tensor(shape: [batch, tokens, width])
            let pos = posEmbed.value.data, cls = clsToken.value.data
            for b in 0..<batch {
                let base = b * tokens * width
                for j in 0..<width { x.data[base + j] = cls[j] + pos[j] }
                for t in 1..<tokens {
                    let src = (b * (tokens - 1) + t - 1) * width
                    for j in 0..<width { x.data[base + t * width + j] = patches.data[src + j] + pos[t * width + j] }
                }
            }
            for block in blocks { x = block.forward(x) }
            var first = Tensor(shape: [batch, width])
            for b in 0..<batch {
                for j in 0..<width { first.data[b * width + j] = x.data[b * tokens * width + j] }
            }
            return norm.forward(first)
        }
    }
}
