import COpenBLAS

/// Row-major single-precision matrix multiply C = alpha * op(A) * op(B) + beta * C through
/// `cblas_sgemm` (BLAS semantics: op(X) is X or X^T; lda/ldb/ldc are row strides, which lets
/// callers address one head's columns inside a [L, heads*d] matrix).
///
/// - Parameters: m, n, k: op(A) is m x k, op(B) is k x n, C is m x n.
@inline(__always)
func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
           alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
           b: UnsafePointer<Float>, ldb: Int,
           beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    ComputeThreads.configure()  // pins OpenBLAS to one thread before its first use (a one-time check)
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// `sgemm` with the m rows of C split across `ComputeThreads` (each chunk a single-threaded
/// sgemm on its rows); used by big linears. Row splitting keeps every output element's
/// summation order the same as one call, so results do not depend on the thread count.
func parallelSgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                   alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                   b: UnsafePointer<Float>, ldb: Int,
                   beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let work = m * n * k
    if work < 1 << 18 {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    let pa = UncheckedSendable(a), pb = UncheckedSendable(b), pc = UncheckedSendable(c)
    ComputeThreads.forEachChunk(m, minimumPerThread: 8) { _, rows in
        // Row r of op(A): A[r, :] when not transposed (offset r*lda), column r of A otherwise (offset r).
        let aOff = transA ? rows.lowerBound : rows.lowerBound * lda
        sgemm(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha,
              a: pa.value + aOff, lda: lda, b: pb.value, ldb: ldb, beta: beta,
              c: pc.value + rows.lowerBound * ldc, ldc: ldc)
    }
}
