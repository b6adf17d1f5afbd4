import Support

/// 2-D convolution over NCHW images (PyTorch `F.conv2d`, square kernel, equal stride and zero
/// padding on both axes, groups 1): x [N, C, H, W], weight [O, C, k, k], bias [O] ->
/// [N, O, Ho, Wo] with Ho = (H + 2p - k) / s + 1.
///
/// Per image, im2col into a `Workspace` buffer and one `cblas_sgemm` (W[O, C*k*k] x
/// cols[C*k*k, Ho*Wo]); a 1x1 / stride 1 / no-padding kernel skips im2col. Images are split
/// across `ComputeThreads` chunks, each with its own scratch.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
    let g = ConvGeometry(input: x, weight: weight, stride: stride, padding: padding)
    let batch = x.shape[0], o = weight.shape[0], hw = g.columns, pointwise = g.isPointwise
    var y = Tensor(uninitializedShape: [batch, o, g.outHeight, g.outWidth])
    let chunks = ComputeThreads.chunkCount(batch)
    let scratch = pointwise ? [] : Workspace.current.prepare("conv.cols", chunks: chunks, count: g.rows * hw)
    x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
            y.data.withUnsafeMutableBufferPointer { yb in
                let xp = UncheckedSendable(xb.baseAddress!), wp = UncheckedSendable(wb.baseAddress!)
                let yp = UncheckedSendable(yb.baseAddress!)
                let bp = bias.map { UncheckedSendable($0.data) }
                ComputeThreads.forEachChunk(batch) { chunk, images in
                    for n in images {
                        let xi = xp.value + n * g.channels * g.height * g.width
                        let yi = yp.value + n * o * hw
                        let cols: UnsafePointer<Float>
                        if pointwise {
                            cols = UnsafePointer(xi)
                        } else {
                            g.im2col(xi, scratch[chunk].value)
                            cols = UnsafePointer(scratch[chunk].value)
                        }
                        if let bp {
                            for c in 0..<o { (yi + c * hw).update(repeating: bp.value[c], count: hw) }
                        }
                        sgemm(m: o, n: hw, k: g.rows, a: wp.value, lda: g.rows, b: cols, ldb: hw,
                              beta: bp == nil ? 0 : 1, c: yi, ldc: hw)
                    }
                }
            }
        }
    }
    return y
}

/// The backward pass of `conv2d`: ADDS dW into `weightGradient` and db into `biasGradient`
/// (when given) and returns dx. Weight gradients are summed per chunk, then chunk by chunk in
/// order, so results do not depend on timing. dx of a stride-1 kernel is the full correlation of
/// dy with the flipped, transposed weight (im2col of dy, one sgemm with k = O*k*k, no col2im:
/// the transposed-convolution identity cuDNN and oneDNN use); other strides use col2im of W^T dy.
public func conv2dBackward(_ x: Tensor, weight: Tensor, stride: Int = 1, padding: Int = 0, _ dy: Tensor,
                       weightGradient: inout Tensor, biasGradient: inout Tensor?) -> Tensor {
    let g = ConvGeometry(input: x, weight: weight, stride: stride, padding: padding)
    let batch = x.shape[0], o = weight.shape[0], hw = g.columns, rows = g.rows
    precondition(dy.shape == [batch, o, g.outHeight, g.outWidth], "Conv2d.backward: gradient \(dy.shape) does not match output")
    let pointwise = g.isPointwise
    let transposed = !pointwise && stride == 1 && padding <= g.kernel - 1
    var dx = pointwise || transposed ? Tensor(uninitializedShape: x.shape) : Tensor(shape: x.shape)
    let chunks = ComputeThreads.chunkCount(batch)
    let cols = pointwise ? [] : Workspace.current.prepare("conv.cols", chunks: chunks, count: rows * hw)
    // The transposed path's im2col of dy has O*k*k rows over H*W columns.
    let dyGeometry = ConvGeometry(channels: o, height: g.outHeight, width: g.outWidth, kernel: g.kernel,
                                  stride: 1, padding: max(0, g.kernel - 1 - padding))
    let dcolsCount = transposed ? dyGeometry.rows * dyGeometry.columns : rows * hw
    let dcols = pointwise ? [] : Workspace.current.prepare("conv.dcols", chunks: chunks, count: dcolsCount)
    let flipped = transposed ? Workspace.current.buffer("conv.flipped", count: o * rows) : nil
    if let flipped { g.flipTransposed(weight, into: flipped, outChannels: o) }
    let fp = flipped.map { UncheckedSendable(UnsafePointer($0)) }
    // Each chunk sums dW^T [rows, O] (and db) into its own scratch; the chunks are added onto
    // weight.grad after, in order.
    let partials = Workspace.current.prepare("conv.dw", chunks: chunks, count: o * rows + o)
    for c in 0..<chunks { partials[c].value.update(repeating: 0, count: o * rows + o) }
    let hasBias = biasGradient != nil
    x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { dyb in
            weight.data.withUnsafeBufferPointer { wb in
                weightGradient.data.withUnsafeMutableBufferPointer { gwb in
                    dx.data.withUnsafeMutableBufferPointer { dxb in
                        let xp = UncheckedSendable(xb.baseAddress!), dyp = UncheckedSendable(dyb.baseAddress!)
                        let wp = UncheckedSendable(wb.baseAddress!), gw = UncheckedSendable(gwb.baseAddress!)
                        let dxp = UncheckedSendable(dxb.baseAddress!)
                        ComputeThreads.forEachChunk(batch) { chunk, images in
                            let dWT = partials[chunk].value
                            let dB = partials[chunk].value + o * rows
                            for n in images {
                                let xi = xp.value + n * g.channels * g.height * g.width
                                let dyi = dyp.value + n * o * hw
                                let dxi = dxp.value + n * g.channels * g.height * g.width
                                let colsP: UnsafePointer<Float>
                                if pointwise {
                                    colsP = UnsafePointer(xi)
                                } else {
                                    g.im2col(xi, cols[chunk].value)
                                    colsP = UnsafePointer(cols[chunk].value)
                                }
                                // dW^T = cols dy^T: OpenBLAS runs this orientation ~25% faster than dy cols^T.
                                sgemm(transB: true, m: rows, n: o, k: hw, a: colsP, lda: hw, b: dyi, ldb: hw,
                                      beta: 1, c: dWT, ldc: o)
                                if pointwise {
                                    sgemm(transA: true, m: rows, n: hw, k: o, a: wp.value, lda: rows, b: dyi, ldb: hw,
                                          c: dxi, ldc: hw)
                                } else if let fp {
                                    dyGeometry.im2col(dyi, dcols[chunk].value)
                                    let k = dyGeometry.rows, inHW = g.height * g.width
                                    sgemm(m: g.channels, n: inHW, k: k, a: fp.value, lda: k,
                                          b: dcols[chunk].value, ldb: inHW, c: dxi, ldc: inHW)
                                } else {
                                    sgemm(transA: true, m: rows, n: hw, k: o, a: wp.value, lda: rows, b: dyi, ldb: hw,
                                          c: dcols[chunk].value, ldc: hw)
                                    g.col2im(dcols[chunk].value, dxi)
                                }
                                if hasBias {
                                    for c in 0..<o {
                                        var s: Float = 0
                                        let row = dyi + c * hw
                                        for i in 0..<hw { s += row[i] }
                                        dB[c] += s
                                    }
                                }
                            }
                        }
                        for c in 0..<chunks {
                            let p = partials[c].value
                            for oc in 0..<o {
                                let dst = gw.value + oc * rows
                                for r in 0..<rows { dst[r] += p[r * o + oc] }
                            }
                        }
                    }
                }
            }
        }
    }
    if biasGradient != nil {
        for c in 0..<chunks {
            let dB = partials[c].value + o * rows
            for i in 0..<o { biasGradient!.data[i] += dB[i] }
        }
    }
    return dx
}
