// Follows zero123 `ldm/models/diffusion/ddpm.py` (LatentDiffusion.cc_projection).
import Support
import Tensor
import NN

/// Zero-1-to-3's `cc_projection`: Linear(embedding + 4, embedding) over [CLIP image embedding ; T],
/// initialised as ldm does (identity on the first `embedding` columns, zero bias, PyTorch's
/// default init on the 4 pose columns).
public final class CCProjection: UnaryLayer {
    /// The projection, named `cc_projection` in checkpoints.
    public let linear: Linear

    /// A projection for `embedding`-wide CLIP embeddings (768 for ViT-L/14).
    public init(embedding: Int = 768, random: inout SeededRandom) {
        linear = Linear(embedding + 4, embedding, random: &random)
        for row in 0..<embedding {
            for column in 0..<embedding {
                linear.weight.value.data[row * (embedding + 4) + column] = row == column ? 1 : 0
            }
        }
        linear.bias!.value = linear.bias!.value.zerosLike()
    }

    public var localParameters: [(String, Parameter)] { linear.localParameters }

    /// [B, 1, embedding] CLIP embeddings and [B, 4] pose vectors -> [B, 1, embedding] tokens.
    public func project(embedding: Tensor, pose: Tensor) -> Tensor {
        let b = embedding.shape[0]
        return forward(concat([embedding.reshaped([b, 1, embedding.count / b]), pose.reshaped([b, 1, 4])], axis: 2))
    }

    /// Applies the linear map to [..., embedding + 4].
    public func forward(_ x: Tensor) -> Tensor { linear.forward(x) }

    /// Back-propagates into the linear map.
    public func backward(_ dy: Tensor) -> Tensor { linear.backward(dy) }
}
