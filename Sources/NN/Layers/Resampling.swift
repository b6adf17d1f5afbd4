import Support
import Tensor

/// ldm's `openaimodel.Upsample` with use_conv True: nearest 2x upsampling then a 3x3 conv
/// (padding 1), parameters under `conv.`.
public final class Upsample: UnaryLayer {
    /// The 3x3 convolution after upsampling.
    public let conv: Conv2d

    /// An upsampler from `channels` to `outChannels` (default: same).
    public init(channels: Int, outChannels: Int? = nil, random: inout SeededRandom) {
        conv = Conv2d(channels, outChannels ?? channels, kernel: 3, padding: 1, random: &random)
    }

    public var children: [(String, any Module)] { [("conv", conv)] }

    /// [N, C, H, W] -> [N, out, 2H, 2W].
    public func forward(_ x: Tensor) -> Tensor { conv.forward(upsampleNearest2x(x)) }

    /// Accumulates the conv's gradients and returns dx.
    public func backward(_ dy: Tensor) -> Tensor { upsampleNearest2xBackward(conv.backward(dy)) }
}

/// ldm's `openaimodel.Downsample` with use_conv True: a 3x3 conv with stride 2, padding 1,
/// parameters under `op.`.
public final class Downsample: UnaryLayer {
    /// The strided convolution.
    public let op: Conv2d

    /// A downsampler from `channels` to `outChannels` (default: same).
    public init(channels: Int, outChannels: Int? = nil, random: inout SeededRandom) {
        op = Conv2d(channels, outChannels ?? channels, kernel: 3, stride: 2, padding: 1, random: &random)
    }

    public var children: [(String, any Module)] { [("op", op)] }

    /// [N, C, H, W] -> [N, out, ceil(H/2), ceil(W/2)].
    public func forward(_ x: Tensor) -> Tensor { op.forward(x) }

    /// Accumulates the conv's gradients and returns dx.
    public func backward(_ dy: Tensor) -> Tensor { op.backward(dy) }
}

/// ldm's UNet `time_embed`: Linear(modelChannels, embDim), SiLU, Linear(embDim, embDim), applied to
/// `timestepEmbedding(t, modelChannels)` (parameters `0.` and `2.`, as in `time_embed.0.weight`).
public final class TimestepEmbedder: Module {
    /// time_embed.0 and time_embed.2.
    public let linear1: Linear, linear2: Linear
    /// Width of the sinusoidal embedding (the UNet's model_channels, 320 in SD-1.x).
    public let modelChannels: Int
    private var hidden: Tensor?

    /// An MLP from the sinusoidal embedding to `embDim` (4 x model_channels in SD-1.x).
    public init(modelChannels: Int, embDim: Int, random: inout SeededRandom) {
        self.modelChannels = modelChannels
        linear1 = Linear(modelChannels, embDim, random: &random)
        linear2 = Linear(embDim, embDim, random: &random)
    }

    public var children: [(String, any Module)] { [("0", linear1), ("2", linear2)] }

    /// Timesteps (one per batch item) -> [N, embDim].
    public func forward(_ timesteps: [Float]) -> Tensor {
        let h = linear1.forward(timestepEmbedding(timesteps, dim: modelChannels))
        if InferenceMode.keepsActivations { hidden = h }
        return linear2.forward(silu(h))
    }

    /// Accumulates the gradients of both linears (timesteps are data: no gradient returned).
    public func backward(_ dy: Tensor) {
        guard let h = hidden else { preconditionFailure("TimestepEmbedder.backward called before forward") }
        hidden = nil
        _ = linear1.backward(siluBackward(h, linear2.backward(dy)))
    }
}
