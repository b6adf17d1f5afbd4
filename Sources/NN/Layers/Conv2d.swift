import Support
import Tensor

/// PyTorch `nn.Conv2d` (square kernel, equal stride and zero padding on both axes, groups 1):
/// weight [out, in, k, k], bias [out]; the arithmetic is Tensor's `conv2d`.
public final class Conv2d: UnaryLayer {
    /// Weight [outChannels, inChannels, kernel, kernel].
    public let weight: Parameter
    /// Bias [outChannels].
    public let bias: Parameter?
    /// Geometry: channels in and out, square kernel size, stride and zero padding (both axes).
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int
    private var input: Tensor?

    /// A convolution with PyTorch's default initialisation.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, random: inout SeededRandom) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        let fanIn = inChannels * kernel * kernel
        weight = Parameter(torchDefaultInit(shape: [outChannels, inChannels, kernel, kernel], fanIn: fanIn, random: &random))
        self.bias = bias ? Parameter(torchDefaultInit(shape: [outChannels], fanIn: fanIn, random: &random)) : nil
    }

    public var localParameters: [(String, Parameter)] {
        var list = [("weight", weight)]
        if let bias { list.append(("bias", bias)) }
        return list
    }

    /// Output [N, out, Ho, Wo] with Ho = (H + 2p - k) / s + 1.
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == inChannels, "Conv2d expects [N, \(inChannels), H, W], got \(x.shape)")
        if InferenceMode.keepsActivations { input = x }
        return conv2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding)
    }

    /// Accumulates dW, db and returns dx.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Conv2d.backward called before forward") }
        input = nil
        var biasGradient = bias?.grad
        let dx = conv2dBackward(x, weight: weight.value, stride: stride, padding: padding, dy,
                                weightGradient: &weight.grad, biasGradient: &biasGradient)
        if let bias, let biasGradient { bias.grad = biasGradient }
        return dx
    }
}
