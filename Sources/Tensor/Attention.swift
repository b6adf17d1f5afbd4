import Foundation

/// Multi-head scaled dot-product attention (ldm `attention.CrossAttention` core, PyTorch
/// `F.scaled_dot_product_attention` semantics, no dropout):
/// for each head, softmax(Q_h K_h^T / sqrt(d)) V_h.
///
/// With `causal` (PyTorch `is_causal=True`, the CLIP text encoder's mask), query row i attends
/// only to keys j <= i (the top-left aligned lower triangle): the masked probabilities are
/// exactly zero, as PyTorch's -inf scores give.
///
/// q [B, Lq, heads*d]; k, v [B, Lk, heads*d] (Lk may differ from Lq: cross-attention).
/// Heads are column blocks of the last dimension (ldm's `rearrange(..., 'b n (h d) -> (b h) n d')`),
/// addressed in place through sgemm's leading dimension. Returns the output [B, Lq, heads*d]
/// and the probabilities [B, heads, Lq, Lk], which the backward pass needs. Query rows are
/// processed in blocks of `rowBlock` (default `attentionRowBlock(Lk)`, about 256 KB of scores)
/// so each block stays in cache; the result does not depend on the block size beyond rounding.
public func scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, heads: Int, causal: Bool = false,
                                      rowBlock: Int? = nil) -> (output: Tensor, probabilities: Tensor) {
    let (b, lq, lk, hd) = attentionShapes(q, k, v, heads)
    let block = max(1, rowBlock ?? attentionRowBlock(lk))
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
                                let oh = op.value + bi * lq * hd + h * d
                                // Query rows in blocks, so each block's scores stay in cache
                                // through QK^T, softmax and PV.
                                var r0 = 0
                                while r0 < lq {
                                    let rows = min(block, lq - r0)
                                    let pb = p + r0 * lk
                                    sgemm(transB: true, m: rows, n: lk, k: d, alpha: scale, a: qh + r0 * hd, lda: hd,
                                          b: kh, ldb: hd, c: pb, ldc: lk)
                                    for r in 0..<rows {
                                        let valid = causal ? min(lk, r0 + r + 1) : lk
                                        softmaxRow(pb + r * lk, valid)
                                        if valid < lk { (pb + r * lk + valid).update(repeating: 0, count: lk - valid) }
                                    }
                                    sgemm(m: rows, n: d, k: lk, a: pb, lda: lk, b: vh, ldb: hd, c: oh + r0 * hd, ldc: hd)
                                    r0 += rows
                                }
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
/// `causal` must match the forward call: masked scores get a zero gradient.
public func scaledDotProductAttentionBackward(q: Tensor, k: Tensor, v: Tensor, probabilities: Tensor,
                                              heads: Int, dOutput: Tensor, causal: Bool = false,
                                              rowBlock: Int? = nil) -> (dq: Tensor, dk: Tensor, dv: Tensor) {
    let (b, lq, lk, hd) = attentionShapes(q, k, v, heads)
    precondition(dOutput.shape == [b, lq, hd], "attention gradient \(dOutput.shape) vs output [\(b), \(lq), \(hd)]")
    let d = hd / heads, scale = 1 / Float(d).squareRoot()
    var dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape), dv = Tensor(uninitializedShape: v.shape)
    let chunks = ComputeThreads.chunkCount(b * heads)
    if lq == 0 { return (Tensor(shape: q.shape), Tensor(shape: k.shape), Tensor(shape: v.shape)) }
    let block = max(1, min(rowBlock ?? attentionRowBlock(lk), lq))
    let scratch = Workspace.current.prepare("attention.dP", chunks: chunks, count: block * lk)
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
                // Query rows in blocks (as in the forward pass): dV and dK accumulate over blocks.
                var r0 = 0
                while r0 < lq {
                    let rows = min(block, lq - r0)
                    let pb = p + r0 * lk
                    let dO = gp.value + qOff + r0 * hd
                    let beta: Float = r0 == 0 ? 0 : 1
                    sgemm(transA: true, m: lk, n: d, k: rows, a: pb, lda: lk, b: dO, ldb: hd,
                          beta: beta, c: dvp.value + kOff, ldc: hd)
                    sgemm(transB: true, m: rows, n: lk, k: d, a: dO, lda: hd, b: vp.value + kOff, ldb: hd, c: dP, ldc: lk)
                    for r in 0..<rows {
                        let valid = causal ? min(lk, r0 + r + 1) : lk
                        softmaxBackwardRow(pb + r * lk, dP + r * lk, valid)
                        if valid < lk { (dP + r * lk + valid).update(repeating: 0, count: lk - valid) }
                    }
                    sgemm(m: rows, n: d, k: lk, alpha: scale, a: dP, lda: lk, b: kp.value + kOff, ldb: hd,
                          c: dqp.value + qOff + r0 * hd, ldc: hd)
                    sgemm(transA: true, m: lk, n: d, k: rows, alpha: scale, a: dP, lda: lk, b: qp.value + qOff + r0 * hd, ldb: hd,
                          beta: beta, c: dkp.value + kOff, ldc: hd)
                    r0 += rows
                }
            }
        }
    }}}}}}}}
    return (dq, dk, dv)
}

/// The default query rows per attention block: about 256 KB of scores (64 K floats), at least 16 rows, so a block's
/// scores stay in the L2 cache across the GEMM, softmax and GEMM that touch them.
@inline(__always)
func attentionRowBlock(_ lk: Int) -> Int {
    max(16, (1 << 16) / max(lk, 1))
}

private func attentionShapes(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ heads: Int) -> (Int, Int, Int, Int) {
    precondition(q.rank == 3 && k.rank == 3 && v.rank == 3, "attention expects [B, L, heads*d] tensors")
    precondition(k.shape == v.shape && q.shape[0] == k.shape[0] && q.shape[2] == k.shape[2],
                 "attention shapes q \(q.shape), k \(k.shape), v \(v.shape) do not agree")
    precondition(q.shape[2] % heads == 0, "width \(q.shape[2]) not divisible by \(heads) heads")
    return (q.shape[0], q.shape[1], k.shape[1], q.shape[2])
}
