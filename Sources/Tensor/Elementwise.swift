import Foundation

/// Applies `f` to every element (in parallel chunks for large tensors).
func mapElements(_ x: Tensor, _ f: @escaping @Sendable (Float) -> Float) -> Tensor {
    var y = Tensor(shape: x.shape)
    let n = x.count
    x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            let xp = UncheckedSendable(xb.baseAddress!), yp = UncheckedSendable(yb.baseAddress!)
            ComputeThreads.forEachChunk(n, minimumPerThread: 1 << 15) { _, r in
                for i in r { yp.value[i] = f(xp.value[i]) }
            }
        }
    }
    return y
}

/// dx_i = dy_i * f'(x_i) with f' given as a function of x.
func mapGradient(_ x: Tensor, _ dy: Tensor, _ fprime: @escaping @Sendable (Float) -> Float) -> Tensor {
    precondition(x.shape == dy.shape, "gradient \(dy.shape) does not match input \(x.shape)")
    var dx = Tensor(shape: x.shape)
    let n = x.count
    x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { gb in
            dx.data.withUnsafeMutableBufferPointer { db in
                let xp = UncheckedSendable(xb.baseAddress!), gp = UncheckedSendable(gb.baseAddress!)
                let dp = UncheckedSendable(db.baseAddress!)
                ComputeThreads.forEachChunk(n, minimumPerThread: 1 << 15) { _, r in
                    for i in r { dp.value[i] = gp.value[i] * fprime(xp.value[i]) }
                }
            }
        }
    }
    return dx
}

/// SiLU / swish, x * sigmoid(x) (PyTorch `F.silu`, ldm's `nn.SiLU` in ResBlocks).
public func silu(_ x: Tensor) -> Tensor {
    mapElements(x) { v in v / (1 + expf(-v)) }
}

/// Gradient of `silu`: dy * s(x) * (1 + x * (1 - s(x))).
public func siluBackward(_ x: Tensor, _ dy: Tensor) -> Tensor {
    mapGradient(x, dy) { v in
        let s = 1 / (1 + expf(-v))
        return s * (1 + v * (1 - s))
    }
}

/// Exact (erf) GELU, 0.5 x (1 + erf(x / sqrt 2)): PyTorch `F.gelu` with approximate='none',
/// which ldm's GEGLU uses. (The tanh approximation is not used anywhere here.)
public func gelu(_ x: Tensor) -> Tensor {
    mapElements(x, geluScalar)
}

/// Gradient of exact GELU: Phi(x) + x * phi(x).
public func geluBackward(_ x: Tensor, _ dy: Tensor) -> Tensor {
    mapGradient(x, dy, geluDerivative)
}

@inline(__always) @Sendable func geluScalar(_ v: Float) -> Float {
    0.5 * v * (1 + erff(v * 0.70710678118654752))
}

@inline(__always) @Sendable func geluDerivative(_ v: Float) -> Float {
    0.5 * (1 + erff(v * 0.70710678118654752)) + v * expf(-0.5 * v * v) * 0.39894228040143268
}
