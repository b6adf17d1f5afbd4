import Foundation

/// The point-wise functions, dispatched once per chunk so each inner loop is a plain,
/// vectorisable loop (no closure call per element).
enum PointwiseKind {
    case silu, siluGrad, gelu, geluGrad

    @inline(__always)
    func apply(_ v: Float) -> Float {
        switch self {
        case .silu: return v / (1 + fastExp(-v))
        case .siluGrad:
            let s = 1 / (1 + fastExp(-v))
            return s * (1 + v * (1 - s))
        case .gelu: return geluScalar(v)
        case .geluGrad: return geluDerivative(v)
        }
    }
}

/// y = f(x) element-wise, or dx = dy * f'(x) when `upstream` is given; parallel for large tensors.
func pointwise(_ kind: PointwiseKind, _ x: Tensor, upstream: Tensor? = nil) -> Tensor {
    if let upstream { precondition(upstream.shape == x.shape, "gradient \(upstream.shape) does not match input \(x.shape)") }
    var y = Tensor(uninitializedShape: x.shape)
    let n = x.count
    x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            let xp = UncheckedSendable(xb.baseAddress!), yp = UncheckedSendable(yb.baseAddress!)
            let up = upstream.map { UncheckedSendable($0.data) }
            ComputeThreads.forEachChunk(n, minimumPerThread: 1 << 15) { _, r in
                let src = xp.value, dst = yp.value
                switch kind {
                case .silu: for i in r { dst[i] = PointwiseKind.silu.apply(src[i]) }
                case .gelu: for i in r { dst[i] = PointwiseKind.gelu.apply(src[i]) }
                case .siluGrad, .geluGrad:
                    up!.value.withUnsafeBufferPointer { g in
                        if kind == .siluGrad {
                            for i in r { dst[i] = g[i] * PointwiseKind.siluGrad.apply(src[i]) }
                        } else {
                            for i in r { dst[i] = g[i] * PointwiseKind.geluGrad.apply(src[i]) }
                        }
                    }
                }
            }
        }
    }
    return y
}

/// SiLU / swish, x * sigmoid(x) (PyTorch `F.silu`, ldm's `nn.SiLU` in ResBlocks).
public func silu(_ x: Tensor) -> Tensor {
    pointwise(.silu, x)
}

/// Gradient of `silu`: dy * s(x) * (1 + x * (1 - s(x))).
public func siluBackward(_ x: Tensor, _ dy: Tensor) -> Tensor {
    pointwise(.siluGrad, x, upstream: dy)
}

/// Exact (erf) GELU, 0.5 x (1 + erf(x / sqrt 2)): PyTorch `F.gelu` with approximate='none',
/// which ldm's GEGLU uses. (The tanh approximation is not used anywhere here.)
public func gelu(_ x: Tensor) -> Tensor {
    pointwise(.gelu, x)
}

/// Gradient of exact GELU: Phi(x) + x * phi(x).
public func geluBackward(_ x: Tensor, _ dy: Tensor) -> Tensor {
    pointwise(.geluGrad, x, upstream: dy)
}

/// Exact GELU of one value through the vectorisable `fastErf`.
@inline(__always) @Sendable func geluScalar(_ v: Float) -> Float {
    0.5 * v * (1 + fastErf(v * 0.70710678118654752))
}

/// GELU and its derivative of one value from one erf and one exp (GEGLU's backward pass needs both).
@inline(__always) func geluAndDerivative(_ v: Float) -> (value: Float, derivative: Float) {
    let x = v * 0.70710678118654752
    let gaussian = fastExp(-x * x)  // exp(-v^2 / 2)
    let e = fastErf(x, gaussian: gaussian)
    return (0.5 * v * (1 + e), 0.5 * (1 + e) + v * gaussian * 0.39894228040143268)
}

/// GELU's derivative of one value, Phi(v) + v phi(v), through `fastErf` and `fastExp`.
@inline(__always) @Sendable func geluDerivative(_ v: Float) -> Float {
    0.5 * (1 + fastErf(v * 0.70710678118654752)) + v * fastExp(-0.5 * v * v) * 0.39894228040143268
}
