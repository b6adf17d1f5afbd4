import Foundation

/// The GEGLU gate of ldm's `attention.GEGLU` after its projection: the last dimension (2D)
/// is split into (h, gate) = x.chunk(2, dim=-1) and the result is h * gelu(gate), [..., D].
public func geglu(_ x: Tensor) -> Tensor {
    let twoD = x.shape.last!
    precondition(twoD % 2 == 0, "GEGLU needs an even last dimension, got \(x.shape)")
    let d = twoD / 2, rows = x.count / twoD
    var outShape = x.shape
    outShape[outShape.count - 1] = d
    var y = Tensor(uninitializedShape: outShape)
    x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            let xp = UncheckedSendable(xb.baseAddress!), yp = UncheckedSendable(yb.baseAddress!)
            ComputeThreads.forEachChunk(rows, minimumPerThread: 32) { _, range in
                for r in range {
                    let h = xp.value + r * twoD, g = h + d, o = yp.value + r * d
                    for i in 0..<d { o[i] = h[i] * geluScalar(g[i]) }
                }
            }
        }
    }
    return y
}

/// Gradient of `geglu` with respect to its [..., 2D] input: (dy * gelu(g), dy * h * gelu'(g)).
public func gegluBackward(_ x: Tensor, _ dy: Tensor) -> Tensor {
    let twoD = x.shape.last!, d = twoD / 2, rows = x.count / twoD
    precondition(dy.count == rows * d, "GEGLU gradient \(dy.shape) does not match input \(x.shape)")
    var dx = Tensor(uninitializedShape: x.shape)
    x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { gb in
            dx.data.withUnsafeMutableBufferPointer { db in
                let xp = UncheckedSendable(xb.baseAddress!), gp = UncheckedSendable(gb.baseAddress!)
                let dp = UncheckedSendable(db.baseAddress!)
                ComputeThreads.forEachChunk(rows, minimumPerThread: 32) { _, range in
                    for r in range {
                        let h = xp.value + r * twoD, g = h + d, up = gp.value + r * d
                        let dh = dp.value + r * twoD, dg = dh + d
                        for i in 0..<d {
                            let gelu = geluAndDerivative(g[i])
                            dh[i] = up[i] * gelu.value
                            dg[i] = up[i] * h[i] * gelu.derivative
                        }
                    }
                }
            }
        }
    }
    return dx
}
