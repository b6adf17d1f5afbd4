import Foundation

/// Multi-head scaled dot-product attention (ldm `attention.CrossAttention` core, PyTorch
/// `F.scaled_dot_product_attention` semantics, no mask, no dropout):
/// for each head, softmax(Q_h K_h^T / sqrt(d)) V_h.
///
/// q [B, Lq, heads*d]; k, v [B, Lk, heads*d] (Lk may differ from Lq: cross-attention).
/// Heads are column blocks of the last dimension (ldm's `rearrange(..., 'b n (h d) -> (b h) n d')`),
/// addressed in place through sgemm's leading dimension. Returns the output [B, Lq, heads*d]
/// and the probabilities [B, heads, Lq, Lk], which the backward pass needs.
public func scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, heads: Int) -> (output: Tensor, probabilities: Tensor) {
    let (b, lq, lk, hd) = attentionShapes(q, k, v, heads)
    let d = hd / heads, scale = 1 / Float(d).squareRoot()
    var out = Tensor(uninitializedShape: [b, lq, hd])
    var probs = Tensor(uninitializedShape: [b, heads, lq, lk])
    q.data.withUnsafeBufferPointer { qb in
        k.data.withUnsafeBufferPointer { kb in
            v.data.withUnsafeBufferPointer { vb in
                out.data.withUnsafeMutableBufferPointer { ob in
                    probs.data.withUnsafeMutableBufferPointer { pb in
                        let qp = UncheckedSendable(qb.baseAddress!), kp = UncheckedSendable(kb.baseAddress!)
                        let vp = UncheckedSendable(vb.baseAddress!), op = UncheckedSendable(ob.baseAddress!)
                        let pp = UncheckedSendable(pb.baseAddress!)
                        ComputeThreads.forEachChunk(b * heads) { _, range in
                            for bh in range {
                                let bi = bh / heads, h = bh % heads
                                let qh = qp.value + bi * lq * hd + h * d
                                let kh = kp.value + bi * lk * hd + h * d
                                let vh = vp.value + bi * lk * hd + h * d
                                let p = pp.value + bh * lq * lk
                                sgemm(transB: true, m: lq, n: lk, k: d, alpha: scale, a: qh, lda: hd, b: kh, ldb: hd,
                                      c: p, ldc: lk)
                                for r in 0..<lq { softmaxRow(p + r * lk, lk) }
                                sgemm(m: lq, n: d, k: lk, a: p, lda: lk, b: vh, ldb: hd,
                                      c: op.value + bi * lq * hd + h * d, ldc: hd)
                            }
                        }
                    }
                }
            }
        }
    }
    return (out, probs)
}

/// Gradients of `scaledDotProductAttention` given the forward's probabilities:
/// dV = P^T dO, dP = dO V^T, dS = P * (dP - rowsum(dP * P)), dQ = dS K / sqrt(d), dK = dS^T Q / sqrt(d).
public func scaledDotProductAttentionBackward(q: Tensor, k: Tensor, v: Tensor, probabilities: Tensor,
                                              heads: Int, dOutput: Tensor) -> (dq: Tensor, dk: Tensor, dv: Tensor) {
    let (b, lq, lk, hd) = attentionShapes(q, k, v, heads)
    precondition(dOutput.shape == [b, lq, hd], "attention gradient \(dOutput.shape) vs output [\(b), \(lq), \(hd)]")
    let d = hd / heads, scale = 1 / Float(d).squareRoot()
    var dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape), dv = Tensor(uninitializedShape: v.shape)
    let chunks = ComputeThreads.chunkCount(b * heads)
    let scratch = Workspace.current.prepare("attention.dP", chunks: chunks, count: lq * lk)
    q.data.withUnsafeBufferPointer { qb in
    k.data.withUnsafeBufferPointer { kb in
    v.data.withUnsafeBufferPointer { vb in
    probabilities.data.withUnsafeBufferPointer { pb in
    dOutput.data.withUnsafeBufferPointer { gb in
    dq.data.withUnsafeMutableBufferPointer { dqb in
    dk.data.withUnsafeMutableBufferPointer { dkb in
    dv.data.withUnsafeMutableBufferPointer { dvb in
        let qp = UncheckedSendable(qb.baseAddress!), kp = UncheckedSendable(kb.baseAddress!)
        let vp = UncheckedSendable(vb.baseAddress!), pp = UncheckedSendable(pb.baseAddress!)
        let gp = UncheckedSendable(gb.baseAddress!)
        let dqp = UncheckedSendable(dqb.baseAddress!), dkp = UncheckedSendable(dkb.baseAddress!)
        let dvp = UncheckedSendable(dvb.baseAddress!)
        ComputeThreads.forEachChunk(b * heads) { chunk, range in
            let dP = scratch[chunk].value
            for bh in range {
                let bi = bh / heads, h = bh % heads
                let qOff = bi * lq * hd + h * d, kOff = bi * lk * hd + h * d
                let p = pp.value + bh * lq * lk
                let dO = gp.value + qOff
                sgemm(transA: true, m: lk, n: d, k: lq, a: p, lda: lk, b: dO, ldb: hd, c: dvp.value + kOff, ldc: hd)
                sgemm(transB: true, m: lq, n: lk, k: d, a: dO, lda: hd, b: vp.value + kOff, ldb: hd, c: dP, ldc: lk)
                for r in 0..<lq { softmaxBackwardRow(p + r * lk, dP + r * lk, lk) }
                sgemm(m: lq, n: d, k: lk, alpha: scale, a: dP, lda: lk, b: kp.value + kOff, ldb: hd,
                      c: dqp.value + qOff, ldc: hd)
                sgemm(transA: true, m: lk, n: d, k: lq, alpha: scale, a: dP, lda: lk, b: qp.value + qOff, ldb: hd,
                      c: dkp.value + kOff, ldc: hd)
            }
        }
    }}}}}}}}
    return (dq, dk, dv)
}

private func attentionShapes(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ heads: Int) -> (Int, Int, Int, Int) {
    precondition(q.rank == 3 && k.rank == 3 && v.rank == 3, "attention expects [B, L, heads*d] tensors")
    precondition(k.shape == v.shape && q.shape[0] == k.shape[0] && q.shape[2] == k.shape[2],
                 "attention shapes q \(q.shape), k \(k.shape), v \(v.shape) do not agree")
    precondition(q.shape[2] % heads == 0, "width \(q.shape[2]) not divisible by \(heads) heads")
    return (q.shape[0], q.shape[1], k.shape[1], q.shape[2])
}
