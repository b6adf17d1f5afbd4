// The CPU presets' stand-ins for the frozen CLIP towers (no CLIP weights are needed to find out
// whether a corpus trains): a small learned image encoder in place of CLIP ViT-L/14's
// `encode_image`, and a hashed-word embedding in place of CLIP's text transformer.
import Foundation
import Support
import Tensor
import NN

/// A small learned image encoder standing in for CLIP's image embedding: stride-2 3x3
/// convolutions with SiLU (`convs.0`, `convs.2`, ...), a global average pool, and a linear map
/// to the context width (`proj`): [B, 3, S, S] in [-1, 1] -> [B, width]. Trained with the UNet.
public final class SmallImageEncoder: Module {
    /// The convolution stack.
    public let convs: Sequential
    /// Pooled features -> embedding.
    public let proj: Linear
    private var pooledShape: [Int]?

    /// An encoder with the given conv widths and output width, PyTorch default init.
    public init(channels: [Int], width: Int, random: inout SeededRandom) {
        var layers: [any UnaryLayer] = []
        var c = 3
        for out in channels {
            layers.append(Conv2d(c, out, kernel: 3, stride: 2, padding: 1, random: &random))
            layers.append(SiLU())
            c = out
        }
        convs = Sequential(layers)
        proj = Linear(c, width, random: &random)
    }

    public var children: [(String, any Module)] { [("convs", convs), ("proj", proj)] }

    /// [B, 3, S, S] -> [B, width].
    public func forward(_ x: Tensor) -> Tensor {
        let h = convs.forward(x)
        let (b, c, plane) = (h.shape[0], h.shape[1], h.shape[2] * h.shape[3])
        var pooled = Tensor(shape: [b, c])
        for i in 0..<(b * c) {
            var s: Float = 0
            for j in 0..<plane { s += h.data[i * plane + j] }
            pooled.data[i] = s / Float(plane)
        }
        if InferenceMode.keepsActivations { pooledShape = h.shape }
        return proj.forward(pooled)
    }

    /// Accumulates gradients; the input gradient is discarded (images are data).
    public func backward(_ dy: Tensor) {
        guard let shape = pooledShape else { preconditionFailure("SmallImageEncoder.backward before forward") }
        pooledShape = nil
        let dPooled = proj.backward(dy)
        let plane = shape[2] * shape[3]
        var dh = Tensor(shape: shape)
        for i in 0..<(shape[0] * shape[1]) {
            let g = dPooled.data[i] / Float(plane)
            for j in 0..<plane { dh.data[i * plane + j] = g }
        }
        _ = convs.backward(dh)
    }
}

/// A learned text stand-in for CustomNet's frozen CLIP text encoder: captions become 77 tokens
/// as CLIP's tokenizer lays them out (start token, one token per lower-cased word hashed into
/// the vocabulary, end token, padded with the end token), embedded by `token_embedding` plus
/// `position_embedding` -> [B, 77, width]. Trained with the UNet.
public final class TextStandIn: Module {
    /// [vocabulary, width] and [77, width].
    public let tokenEmbedding: Parameter, positionEmbedding: Parameter
    /// Vocabulary size, width, sequence length.
    public let vocabulary: Int, width: Int, length = 77
    private var tokens: [[Int]]?

    /// Normal(0, 0.02) embeddings as CLIP initialises them.
    public init(vocabulary: Int, width: Int, random: inout SeededRandom) {
        self.vocabulary = vocabulary
        self.width = width
        tokenEmbedding = Parameter(Tensor.randomNormal(shape: [vocabulary, width], std: 0.02, random: &random))
        positionEmbedding = Parameter(Tensor.randomNormal(shape: [77, width], std: 0.01, random: &random))
    }

    public var localParameters: [(String, Parameter)] {
        [("token_embedding.weight", tokenEmbedding), ("position_embedding.weight", positionEmbedding)]
    }

    /// The 77 token ids of a caption.
    public func tokenize(_ text: String) -> [Int] {
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }
        var ids = [0]
        for w in words.prefix(length - 2) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in w.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            ids.append(1 + Int(h % UInt64(vocabulary - 2)))
        }
        while ids.count < length { ids.append(vocabulary - 1) }
        return ids
    }

    /// Captions -> [B, 77, width].
    public func forward(_ captions: [String]) -> Tensor {
        let ids = captions.map(tokenize)
        var out = Tensor(shape: [captions.count, length, width])
        for (b, row) in ids.enumerated() {
            for (p, id) in row.enumerated() {
                let o = (b * length + p) * width
                for c in 0..<width {
                    out.data[o + c] = tokenEmbedding.value.data[id * width + c] + positionEmbedding.value.data[p * width + c]
                }
            }
        }
        if InferenceMode.keepsActivations { tokens = ids }
        return out
    }

    /// Scatter-adds dy [B, 77, width] into both embeddings.
    public func backward(_ dy: Tensor) {
        guard let ids = tokens else { preconditionFailure("TextStandIn.backward before forward") }
        tokens = nil
        for (b, row) in ids.enumerated() {
            for (p, id) in row.enumerated() {
                let o = (b * length + p) * width
                for c in 0..<width {
                    tokenEmbedding.grad.data[id * width + c] += dy.data[o + c]
                    positionEmbedding.grad.data[p * width + c] += dy.data[o + c]
                }
            }
        }
    }
}
