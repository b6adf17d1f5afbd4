import Support

/// 2-D convolution over NCHW images (PyTorch `nn.Conv2d` semantics, square kernel, equal
/// stride and zero padding on both axes, groups = 1): weight [out, in, k, k], bias [out].
///
/// Forward: per image, im2col into a `Workspace` buffer and one `cblas_sgemm`
/// (W[out, in*k*k] x cols[in*k*k, Ho*Wo]); a 1x1 / stride 1 / no-padding kernel skips im2col
/// and multiplies the image directly. Images are split across `ComputeThreads` chunks, each with
/// its own scratch; weight gradients are summed per chunk, then chunk by chunk in order.
public final class Conv2d: Layer {
    /// Weight [outChannels, inChannels, kernel, kernel].
    public let weight: Parameter
    /// Bias [outChannels].
    public let bias: Parameter?
    /// Geometry: channels in and out, square kernel size, stride and zero padding (both axes).
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int
    private var input: Tensor?

    /// A convolution with PyTorch's default initialisation.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, random: inout SeededRandom) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        let fanIn = inChannels * kernel * kernel
        weight = Parameter(torchDefaultInit(shape: [outChannels, inChannels, kernel, kernel], fanIn: fanIn, random: &random))
        self.bias = bias ? Parameter(torchDefaultInit(shape: [outChannels], fanIn: fanIn, random: &random)) : nil
    }

    public func namedParameters() -> [(String, Parameter)] {
        var list = [("weight", weight)]
        if let bias { list.append(("bias", bias)) }
        return list
    }

    private var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }

    private func geometry(_ x: Tensor) -> ConvGeometry {
        precondition(x.rank == 4 && x.shape[1] == inChannels, "Conv2d expects [N, \(inChannels), H, W], got \(x.shape)")
        return ConvGeometry(channels: inChannels, height: x.shape[2], width: x.shape[3],
                            kernel: kernel, stride: stride, padding: padding)
    }

    /// Output [N, out, Ho, Wo] with Ho = (H + 2p - k) / s + 1.
    public func forward(_ x: Tensor) -> Tensor {
        let g = geometry(x)
        input = x
        let batch = x.shape[0], o = outChannels, hw = g.columns
        var y = Tensor(uninitializedShape: [batch, o, g.outHeight, g.outWidth])
        let chunks = ComputeThreads.chunkCount(batch)
        let scratch = isPointwise ? [] : Workspace.current.prepare("conv.cols", chunks: chunks, count: g.rows * hw)
        let pointwise = isPointwise
        x.data.withUnsafeBufferPointer { xb in
            weight.value.data.withUnsafeBufferPointer { wb in
                y.data.withUnsafeMutableBufferPointer { yb in
                    let xp = UncheckedSendable(xb.baseAddress!), wp = UncheckedSendable(wb.baseAddress!)
                    let yp = UncheckedSendable(yb.baseAddress!)
                    let bp = bias.map { UncheckedSendable($0.value.data) }
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

    /// Accumulates dW, db and returns dx (col2im of W^T dy).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Conv2d.backward called before forward") }
        let g = geometry(x)
        let batch = x.shape[0], o = outChannels, hw = g.columns, rows = g.rows
        precondition(dy.shape == [batch, o, g.outHeight, g.outWidth], "Conv2d.backward: gradient \(dy.shape) does not match output")
        var dx = Tensor(shape: x.shape)
        let chunks = ComputeThreads.chunkCount(batch)
        let pointwise = isPointwise
        let cols = pointwise ? [] : Workspace.current.prepare("conv.cols", chunks: chunks, count: rows * hw)
        let dcols = pointwise ? [] : Workspace.current.prepare("conv.dcols", chunks: chunks, count: rows * hw)
        // Chunk 0 accumulates straight into weight.grad; the others into scratch, added after in order.
        let partials = Workspace.current.prepare("conv.dw", chunks: chunks, count: o * rows + o)
        for c in 1..<max(chunks, 1) { partials[c].value.update(repeating: 0, count: o * rows) }
        for c in 0..<chunks { (partials[c].value + o * rows).update(repeating: 0, count: o) }
        let hasBias = bias != nil
        x.data.withUnsafeBufferPointer { xb in
            dy.data.withUnsafeBufferPointer { dyb in
                weight.value.data.withUnsafeBufferPointer { wb in
                    weight.grad.data.withUnsafeMutableBufferPointer { gwb in
                        dx.data.withUnsafeMutableBufferPointer { dxb in
                            let xp = UncheckedSendable(xb.baseAddress!), dyp = UncheckedSendable(dyb.baseAddress!)
                            let wp = UncheckedSendable(wb.baseAddress!), gw = UncheckedSendable(gwb.baseAddress!)
                            let dxp = UncheckedSendable(dxb.baseAddress!)
                            ComputeThreads.forEachChunk(batch) { chunk, images in
                                let dW = chunk == 0 ? gw.value : partials[chunk].value
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
                                    sgemm(transB: true, m: o, n: rows, k: hw, a: dyi, lda: hw, b: colsP, ldb: hw,
                                          beta: 1, c: dW, ldc: rows)
                                    if pointwise {
                                        sgemm(transA: true, m: rows, n: hw, k: o, a: wp.value, lda: rows, b: dyi, ldb: hw,
                                              c: dxi, ldc: hw)
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
                            for c in 1..<max(chunks, 1) {
                                let p = partials[c].value
                                for i in 0..<(o * rows) { gw.value[i] += p[i] }
                            }
                        }
                    }
                }
            }
        }
        if let bias {
            for c in 0..<chunks {
                let dB = partials[c].value + o * rows
                for i in 0..<o { bias.grad.data[i] += dB[i] }
            }
        }
        input = nil
        return dx
    }
}
