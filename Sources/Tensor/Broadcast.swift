/// NumPy / PyTorch broadcasting of two shapes: align on the right, each pair of extents equal
/// or one of them 1. Returns nil when the shapes cannot broadcast.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    let pa = [Int](repeating: 1, count: rank - a.count) + a, pb = [Int](repeating: 1, count: rank - b.count) + b
    var out: [Int] = []
    for i in 0..<rank {
        if pa[i] == pb[i] || pb[i] == 1 { out.append(pa[i]) } else if pa[i] == 1 { out.append(pb[i]) } else { return nil }
    }
    return out
}

/// Strides of `shape` read in the broadcast output space (0 along broadcast dimensions).
private func broadcastStrides(_ shape: [Int], to out: [Int]) -> [Int] {
    let padded = [Int](repeating: 1, count: out.count - shape.count) + shape
    var strides = [Int](repeating: 0, count: out.count)
    var s = 1
    for i in stride(from: out.count - 1, through: 0, by: -1) {
        strides[i] = padded[i] == 1 ? 0 : s
        s *= padded[i]
    }
    return strides
}

/// Calls body(outIndex, aIndex, bIndex) for every element of the broadcast output, in order.
private func forEachBroadcast(_ out: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
    let total = out.reduce(1, *)
    if total == 0 { return }
    var idx = [Int](repeating: 0, count: out.count)
    var ia = 0, ib = 0
    for o in 0..<total {
        body(o, ia, ib)
        var d = out.count - 1
        while d >= 0 {
            idx[d] += 1
            ia += sa[d]
            ib += sb[d]
            if idx[d] < out[d] { break }
            ia -= sa[d] * out[d]
            ib -= sb[d] * out[d]
            idx[d] = 0
            d -= 1
        }
    }
}

private func broadcastBinary(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
    guard let out = broadcastShape(a.shape, b.shape) else {
        preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    var y = Tensor(shape: out)
    if a.shape == b.shape {
        for i in 0..<a.count { y.data[i] = op(a.data[i], b.data[i]) }
        return y
    }
    let sa = broadcastStrides(a.shape, to: out), sb = broadcastStrides(b.shape, to: out)
    a.data.withUnsafeBufferPointer { ap in
        b.data.withUnsafeBufferPointer { bp in
            y.data.withUnsafeMutableBufferPointer { yp in
                forEachBroadcast(out, sa, sb) { o, i, j in yp[o] = op(ap[i], bp[j]) }
            }
        }
    }
    return y
}

/// Sums a broadcast-output gradient back to `shape` (the backward of broadcasting).
public func reduceBroadcast(_ grad: Tensor, to shape: [Int]) -> Tensor {
    if grad.shape == shape { return grad }
    var r = Tensor(shape: shape)
    let s = broadcastStrides(shape, to: grad.shape)
    let zero = [Int](repeating: 0, count: grad.rank)
    grad.data.withUnsafeBufferPointer { gp in
        r.data.withUnsafeMutableBufferPointer { rp in
            forEachBroadcast(grad.shape, s, zero) { o, i, _ in rp[i] += gp[o] }
        }
    }
    return r
}

/// a + b with broadcasting (PyTorch `torch.add`); e.g. a ResBlock's h [N,C,H,W] + emb [N,C,1,1].
public func add(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, +) }

/// Gradients of `add`: dy reduced to each operand's shape.
public func addBackward(_ aShape: [Int], _ bShape: [Int], _ dy: Tensor) -> (da: Tensor, db: Tensor) {
    (reduceBroadcast(dy, to: aShape), reduceBroadcast(dy, to: bShape))
}

/// a * b with broadcasting (PyTorch `torch.mul`).
public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, *) }

/// Gradients of `mul`: (dy * b, dy * a), each reduced to its operand's shape.
public func mulBackward(_ a: Tensor, _ b: Tensor, _ dy: Tensor) -> (da: Tensor, db: Tensor) {
    let bb = broadcastBinary(dy, b, *), aa = broadcastBinary(dy, a, *)
    return (reduceBroadcast(bb, to: a.shape), reduceBroadcast(aa, to: b.shape))
}
