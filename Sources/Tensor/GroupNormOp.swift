import Support

/// Group normalisation over NCHW (PyTorch `F.group_norm`, biased variance, per-channel affine):
/// y = (x - mean_g) / sqrt(var_g + eps) * gamma_c + beta_c, statistics per (image, group),
/// summed in float vector lanes per block and double precision across blocks (`Reduce`). eps has no default: ldm uses 1e-5 in ResBlocks
/// (`openaimodel.normalization`) and 1e-6 in SpatialTransformer and the VAE (`Normalize`).
public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float)
    -> (y: Tensor, statistics: NormStatistics) {
    let channels = x.rank >= 2 ? x.shape[1] : 0
    precondition(channels > 0 && channels % groups == 0 && weight.count == channels && bias.count == channels,
                 "groupNorm: \(x.shape) with \(groups) groups and \(weight.count) weights")
    let n = x.shape[0], spatial = x.count / (n * channels), cpg = channels / groups
    let groupSize = cpg * spatial
    var y = Tensor(uninitializedShape: x.shape)
    var mean = [Float](repeating: 0, count: n * groups), rstd = mean
    x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            mean.withUnsafeMutableBufferPointer { mb in
                rstd.withUnsafeMutableBufferPointer { rb in
                    let xp = UncheckedSendable(xb.baseAddress!), yp = UncheckedSendable(yb.baseAddress!)
                    let mp = UncheckedSendable(mb.baseAddress!), rp = UncheckedSendable(rb.baseAddress!)
                    let w = UncheckedSendable(weight.data), b = UncheckedSendable(bias.data)
                    ComputeThreads.forEachChunk(n * groups) { _, range in
                        for ng in range {
                            let base = xp.value + ng * groupSize
                            // Two passes (mean, then centred squares), vectorised in a fixed order.
                            let m = Float(Reduce.sum(base, groupSize) / Double(groupSize))
                            let variance = Reduce.centeredSquares(base, groupSize, shift: m) / Double(groupSize)
                            let r = Float(1 / (variance + Double(eps)).squareRoot())
                            mp.value[ng] = m
                            rp.value[ng] = r
                            let g = ng % groups
                            for cl in 0..<cpg {
                                let c = g * cpg + cl
                                let scale = r * w.value[c], shift = b.value[c] - m * r * w.value[c]
                                let src = base + cl * spatial, dst = yp.value + ng * groupSize + cl * spatial
                                for i in 0..<spatial { dst[i] = src[i] * scale + shift }
                            }
                        }
                    }
                }
            }
        }
    }
    return (y, NormStatistics(mean: mean, rstd: rstd))
}

/// The backward pass of `groupNorm`: ADDS dgamma, dbeta into the gradients and returns dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
public func groupNormBackward(_ x: Tensor, groups: Int, weight: Tensor, statistics: NormStatistics, _ dy: Tensor,
                              weightGradient: inout Tensor, biasGradient: inout Tensor) -> Tensor {
    let channels = x.shape[1]
    precondition(dy.shape == x.shape, "groupNormBackward: gradient \(dy.shape) vs input \(x.shape)")
    let n = x.shape[0], spatial = x.count / (n * channels), cpg = channels / groups
    let groupSize = cpg * spatial
    var dx = Tensor(uninitializedShape: x.shape)
    let meanV = UncheckedSendable(statistics.mean), rstdV = UncheckedSendable(statistics.rstd), w = UncheckedSendable(weight.data)
    // Parameter gradients: channels split across chunks, each summed over images in order.
    x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { dyb in
            weightGradient.data.withUnsafeMutableBufferPointer { gw in
                biasGradient.data.withUnsafeMutableBufferPointer { gb in
                    let xp = UncheckedSendable(xb.baseAddress!), dyp = UncheckedSendable(dyb.baseAddress!)
                    let gwp = UncheckedSendable(gw.baseAddress!), gbp = UncheckedSendable(gb.baseAddress!)
                    ComputeThreads.forEachChunk(channels, minimumPerThread: 4) { _, range in
                        for c in range {
                            var dgamma: Float = 0, dbeta: Float = 0
                            for img in 0..<n {
                                let ng = img * groups + c / cpg
                                let m = meanV.value[ng], r = rstdV.value[ng]
                                let src = xp.value + (img * channels + c) * spatial
                                let g = dyp.value + (img * channels + c) * spatial
                                dgamma += Float(Reduce.centeredDot(g, src, spatial, shift: m)) * r
                                dbeta += Float(Reduce.sum(g, spatial))
                            }
                            gwp.value[c] += dgamma
                            gbp.value[c] += dbeta
                        }
                    }
                }
            }
        }
    }
    x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { dyb in
            dx.data.withUnsafeMutableBufferPointer { dxb in
                let xp = UncheckedSendable(xb.baseAddress!), dyp = UncheckedSendable(dyb.baseAddress!)
                let dxp = UncheckedSendable(dxb.baseAddress!)
                ComputeThreads.forEachChunk(n * groups) { _, range in
                    for ng in range {
                        let g = ng % groups
                        let m = meanV.value[ng], r = rstdV.value[ng]
                        let base = ng * groupSize
                        // sum(dxhat) and sum(dxhat * xhat), with dxhat = dy * gamma_c, per channel row.
                        var sumD = 0.0, sumDX = 0.0
                        for cl in 0..<cpg {
                            let gamma = Double(w.value[g * cpg + cl])
                            let row = base + cl * spatial
                            sumD += gamma * Reduce.sum(dyp.value + row, spatial)
                            sumDX += gamma * Double(r) * Reduce.centeredDot(dyp.value + row, xp.value + row, spatial, shift: m)
                        }
                        let meanD = Float(sumD / Double(groupSize)), meanDX = Float(sumDX / Double(groupSize))
                        for cl in 0..<cpg {
                            let gamma = w.value[g * cpg + cl]
                            let src = xp.value + base + cl * spatial, up = dyp.value + base + cl * spatial
                            let dst = dxp.value + base + cl * spatial
                            for i in 0..<spatial {
                                let xhat = (src[i] - m) * r
                                dst[i] = r * (up[i] * gamma - meanD - xhat * meanDX)
                            }
                        }
                    }
                }
            }
        }
    }
    return dx
}
