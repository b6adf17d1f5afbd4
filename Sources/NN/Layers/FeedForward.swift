import Support
import Tensor

/// ldm's `attention.FeedForward` with glu=True: net.0 = GEGLU (proj: Linear(dim, 2 * inner)),
/// net.1 = Dropout(0), net.2 = Linear(inner, dim); inner = 4 * dim (mult 4).
public final class FeedForward: UnaryLayer {
    /// GEGLU's projection, dim -> 2 * inner.
    public let proj: Linear
    /// The output projection, inner -> dim.
    public let out: Linear
    private var projected: Tensor?

    /// A GEGLU feed-forward of width `dim` with inner width mult * dim.
    public init(dim: Int, mult: Int = 4, random: inout SeededRandom) {
        proj = Linear(dim, dim * mult * 2, random: &random)
        out = Linear(dim * mult, dim, random: &random)
    }

    public var children: [(String, any Module)] { [("net.0.proj", proj), ("net.2", out)] }

    /// out(geglu(proj(x))) over the last dimension.
    public func forward(_ x: Tensor) -> Tensor {
        let p = proj.forward(x)
        if InferenceMode.keepsActivations { projected = p }
        return out.forward(geglu(p))
    }

    /// Accumulates gradients and returns dx.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let p = projected else { preconditionFailure("FeedForward.backward called before forward") }
        projected = nil
        return proj.backward(gegluBackward(p, out.backward(dy)))
    }
}
