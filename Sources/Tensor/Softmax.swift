import Foundation

/// Numerically stable softmax of each row of length n in place (subtracts the row maximum).
@inline(__always)
func softmaxRow(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
    let s = expShiftedInPlace(p, n, shift: rowMax(p, n))
    let inv = 1 / s
    for i in 0..<n { p[i] *= inv }
}

/// dx = y * (dy - sum(dy * y)) for one row, written into `dy` in place.
@inline(__always)
func softmaxBackwardRow(_ y: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>, _ n: Int) {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    let yr = UnsafeRawPointer(y), dr = UnsafeRawPointer(dy)
    while i + 8 <= n {
        acc += yr.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * dr.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var dot = acc.sum()
    while i < n { dot += y[i] * dy[i]; i += 1 }
    for j in 0..<n { dy[j] = y[j] * (dy[j] - dot) }
}

/// Softmax over the last dimension (PyTorch `x.softmax(dim=-1)`).
public func softmax(_ x: Tensor) -> Tensor {
    var y = x
    let n = x.shape.last!, rows = x.count / n
    y.data.withUnsafeMutableBufferPointer { yb in
        let yp = UncheckedSendable(yb.baseAddress!)
        ComputeThreads.forEachChunk(rows, minimumPerThread: 64) { _, range in
            for r in range { softmaxRow(yp.value + r * n, n) }
        }
    }
    return y
}

/// Gradient of `softmax` given its OUTPUT y: dx = y * (dy - rowsum(dy * y)).
public func softmaxBackward(output y: Tensor, _ dy: Tensor) -> Tensor {
    precondition(y.shape == dy.shape, "softmax gradient \(dy.shape) vs output \(y.shape)")
    var dx = dy
    let n = y.shape.last!, rows = y.count / n
    y.data.withUnsafeBufferPointer { yb in
        dx.data.withUnsafeMutableBufferPointer { db in
            let yp = UncheckedSendable(yb.baseAddress!), dp = UncheckedSendable(db.baseAddress!)
            ComputeThreads.forEachChunk(rows, minimumPerThread: 64) { _, range in
                for r in range { softmaxBackwardRow(yp.value + r * n, dp.value + r * n, n) }
            }
        }
    }
    return dx
}
