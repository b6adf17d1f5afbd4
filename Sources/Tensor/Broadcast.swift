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

/// The run length each element of `small` covers when it broadcasts into `out` as out's leading
/// dimensions followed by ones (a ResBlock's emb [N, C, 1, 1] into [N, C, H, W]: H*W); nil when
/// the broadcast has another form.
private func trailingRun(_ small: [Int], in out: [Int]) -> Int? {
    guard small.count == out.count else { return nil }
    var k = out.count
    while k > 0 && small[k - 1] == 1 { k -= 1 }
    guard Array(small[0..<k]) == Array(out[0..<k]) else { return nil }
    return out[k...].reduce(1, *)
}

@inline(__always)
private func broadcastBinary(_ a: Tensor, _ b: Tensor, _ op: @escaping @Sendable (Float, Float) -> Float) -> Tensor {
    guard let out = broadcastShape(a.shape, b.shape) else {
        preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    if a.shape == b.shape || (a.shape == out && trailingRun(b.shape, in: out) != nil) {
        // Same shapes, or b constant along runs of a: plain loops over rows, split across threads.
        let run = a.shape == b.shape ? 1 : trailingRun(b.shape, in: out)!
        var y = Tensor(uninitializedShape: out)
        a.data.withUnsafeBufferPointer { ab in
            b.data.withUnsafeBufferPointer { bb in
                y.data.withUnsafeMutableBufferPointer { yb in
                    guard yb.count > 0 else { return }
                    let ap = UncheckedSendable(ab.baseAddress!), bp = UncheckedSendable(bb.baseAddress!)
                    let yp = UncheckedSendable(yb.baseAddress!)
                    let rows = yb.count / run, perChunk = max(1, (1 << 15) / run)
                    ComputeThreads.forEachChunk(rows, minimumPerThread: perChunk) { _, range in
                        let a = ap.value, b = bp.value, y = yp.value
                        if run == 1 {
                            for i in range { y[i] = op(a[i], b[i]) }
                        } else {
                            for r in range {
                                let v = b[r], base = r * run
                                for i in base..<(base + run) { y[i] = op(a[i], v) }
                            }
                        }
                    }
                }
            }
        }
        return y
    }
    var y = Tensor(shape: out)
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
    if let run = trailingRun(shape, in: grad.shape) {
        // Sums over runs of `run` elements (vectorised, fixed order), one output per run.
        var r = Tensor(uninitializedShape: shape)
        grad.data.withUnsafeBufferPointer { gb in
            r.data.withUnsafeMutableBufferPointer { rb in
                guard let g = gb.baseAddress else { return }
                for i in 0..<rb.count { rb[i] = Float(Reduce.sum(g + i * run, run)) }
            }
        }
        return r
    }
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
