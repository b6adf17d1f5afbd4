// Forward-only layers for the frozen metric networks (AlexNet, the LPIPS heads, DINO's ViT):
// parameters start at zero (no random draws) and are filled by `Module.load`, then run through
// Tensor's ops (PyTorch `nn.Conv2d`, `nn.Linear`, `F.relu`, `F.max_pool2d` semantics).
import Support
import Tensor
import NN

/// `nn.Conv2d` (square kernel, equal stride and padding) for inference: weight [O, I, k, k], bias [O] or none.
public final class FrozenConv2d: Module {
    /// The weights.
    public let weight: Parameter, bias: Parameter?
    /// Stride and zero padding.
    public let stride: Int, padding: Int

    /// A zero convolution of the given shape.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        weight = Parameter(Tensor(shape: [outChannels, inChannels, kernel, kernel]))
        self.bias = bias ? Parameter(Tensor(shape: [outChannels])) : nil
        self.stride = stride
        self.padding = padding
    }

    /// `weight` and `bias` when present.
    public var localParameters: [(String, Parameter)] {
        var list = [("weight", weight)]
        if let bias { list.append(("bias", bias)) }
        return list
    }

    /// The convolution of NCHW `x`.
    public func forward(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding)
    }
}

/// `nn.Linear` for inference: weight [out, in], bias [out].
public final class FrozenLinear: Module {
    /// The weights.
    public let weight: Parameter, bias: Parameter

    /// A zero layer of the given shape.
    public init(_ inFeatures: Int, _ outFeatures: Int) {
        weight = Parameter(Tensor(shape: [outFeatures, inFeatures]))
        bias = Parameter(Tensor(shape: [outFeatures]))
    }

    /// `weight`, `bias`.
    public var localParameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }

    /// x W^T + b over the last dimension.
    public func forward(_ x: Tensor) -> Tensor {
        linear(x, weight: weight.value, bias: bias.value)
    }
}

/// max(x, 0) element-wise (`F.relu`).
func relu(_ x: Tensor) -> Tensor {
    var y = x
    y.data.withUnsafeMutableBufferPointer { d in
        for i in 0..<d.count where !(d[i] > 0) { d[i] = 0 }
    }
    return y
}

/// `F.max_pool2d(x, kernel, stride)` without padding, floor mode, over NCHW.
func maxPool2d(_ x: Tensor, kernel: Int, stride: Int) -> Tensor {
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
    let oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1
    var y = Tensor(shape: [n, c, oh, ow])
    x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            for plane in 0..<(n * c) {
                let src = plane * h * w, dst = plane * oh * ow
                for i in 0..<oh {
                    for j in 0..<ow {
                        var m = -Float.infinity
                        for a in 0..<kernel {
                            let row = src + (i * stride + a) * w + j * stride
                            for b in 0..<kernel { m = max(m, xb[row + b]) }
                        }
                        yb[dst + i * ow + j] = m
                    }
                }
            }
        }
    }
    return y
}

/// Cosine similarity of two vectors in double precision: a.b / (|a| |b|).
public func cosineSimilarity(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    precondition(a.count == b.count, "cosine of vectors of lengths \(a.count) and \(b.count)")
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        na += Double(x) * Double(x)
        nb += Double(y) * Double(y)
    }
    return dot / max((na * nb).squareRoot(), 1e-300)
}

/// Row `i` of a [rows, width] tensor.
func row(_ t: Tensor, _ i: Int) -> ArraySlice<Float> {
    let width = t.shape[t.rank - 1]
    return t.data[(i * width)..<((i + 1) * width)]
}
