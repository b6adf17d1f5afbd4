// Follows zero123 `ldm/modules/diffusionmodules/openaimodel.py` (TimestepEmbedSequential).
import Support
import Tensor
import NN

/// One layer of a UNet block: what ldm's `TimestepEmbedSequential` dispatches on by type.
public enum UNetLayer {
    /// `input_blocks.0.0`: the input convolution.
    case convolution(Conv2d)
    /// A ResBlock (takes the timestep embedding).
    case residual(ResBlock)
    /// A SpatialTransformer (takes the context).
    case transformer(SpatialTransformer)
    /// A stride-2 downsampler.
    case downsample(Downsample)
    /// A nearest x2 upsampler.
    case upsample(Upsample)

    var module: any Module {
        switch self {
        case let .convolution(m): m
        case let .residual(m): m
        case let .transformer(m): m
        case let .downsample(m): m
        case let .upsample(m): m
        }
    }
}

/// ldm's `TimestepEmbedSequential`: layers named "0", "1", ... that each take what they need of
/// (x, timestep embedding, context).
public final class TimestepBlock: Module {
    /// The layers in order.
    public let layers: [UNetLayer]

    /// A block of the given layers.
    public init(_ layers: [UNetLayer]) { self.layers = layers }

    public var children: [(String, any Module)] { layers.enumerated().map { (String($0.offset), $0.element.module) } }

    /// Applies every layer in order.
    public func forward(_ x: Tensor, emb: Tensor, context: Tensor) -> Tensor {
        var h = x
        for layer in layers {
            switch layer {
            case let .convolution(m): h = m.forward(h)
            case let .residual(m): h = m.forward(h, emb: emb)
            case let .transformer(m): h = m.forward(h, context: context)
            case let .downsample(m): h = m.forward(h)
            case let .upsample(m): h = m.forward(h)
            }
        }
        return h
    }

    /// Back-propagates through the layers in reverse; returns dx and the summed gradients of the
    /// embedding and the context (nil when no layer used them).
    public func backward(_ dy: Tensor) -> (dx: Tensor, dEmb: Tensor?, dContext: Tensor?) {
        var d = dy
        var dEmb: Tensor?, dContext: Tensor?
        for layer in layers.reversed() {
            switch layer {
            case let .convolution(m): d = m.backward(d)
            case let .residual(m):
                let g = m.backward(d)
                d = g.dx
                accumulate(&dEmb, g.dEmb)
            case let .transformer(m):
                let g = m.backward(d)
                d = g.dx
                accumulate(&dContext, g.dContext)
            case let .downsample(m): d = m.backward(d)
            case let .upsample(m): d = m.backward(d)
            }
        }
        return (d, dEmb, dContext)
    }
}

/// Adds `value` into an optional running sum.
func accumulate(_ sum: inout Tensor?, _ value: Tensor) {
    if sum == nil { sum = value } else { sum!.addInPlace(value) }
}
