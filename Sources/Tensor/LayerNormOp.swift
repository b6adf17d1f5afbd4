import Support

/// Layer normalisation over the last dimension (PyTorch `F.layer_norm`, biased variance,
/// elementwise affine): y = (x - mean) / sqrt(var + eps) * gamma + beta per row.
public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float) -> (y: Tensor, statistics: NormStatistics) {
    let d = weight.count
    precondition(x.shape.last == d && bias.count == d, "layerNorm expects last dimension \(d), got \(x.shape)")
    let rows = x.count / d
    var y = Tensor(uninitializedShape: x.shape)
    var mean = [Float](repeating: 0, count: rows), rstd = mean
    x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            mean.withUnsafeMutableBufferPointer { mb in
                rstd.withUnsafeMutableBufferPointer { rb in
                    let xp = UncheckedSendable(xb.baseAddress!), yp = UncheckedSendable(yb.baseAddress!)
                    let mp = UncheckedSendable(mb.baseAddress!), rp = UncheckedSendable(rb.baseAddress!)
                    let w = UncheckedSendable(weight.data), b = UncheckedSendable(bias.data)
                    ComputeThreads.forEachChunk(rows, minimumPerThread: 64) { _, range in
                        for r in range {
                            let src = xp.value + r * d, dst = yp.value + r * d
                            var s = 0.0, s2 = 0.0
                            for i in 0..<d { let v = Double(src[i]); s += v; s2 += v * v }
                            let mu = s / Double(d)
                            let inv = Float(1 / (max(0, s2 / Double(d) - mu * mu) + Double(eps)).squareRoot())
                            let m = Float(mu)
                            mp.value[r] = m
                            rp.value[r] = inv
                            for i in 0..<d { dst[i] = (src[i] - m) * inv * w.value[i] + b.value[i] }
                        }
                    }
                }
            }
        }
    }
    return (y, NormStatistics(mean: mean, rstd: rstd))
}

/// The backward pass of `layerNorm`: ADDS dgamma, dbeta into the gradients; returns dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
public func layerNormBackward(_ x: Tensor, weight: Tensor, statistics: NormStatistics, _ dy: Tensor,
                              weightGradient: inout Tensor, biasGradient: inout Tensor) -> Tensor {
    precondition(dy.shape == x.shape, "layerNormBackward: gradient \(dy.shape) vs input \(x.shape)")
    let d = weight.count, rows = x.count / d
    var dx = Tensor(uninitializedShape: x.shape)
    let meanV = UncheckedSendable(statistics.mean), rstdV = UncheckedSendable(statistics.rstd), w = UncheckedSendable(weight.data)
    // Parameter gradients: per-chunk partial sums over row ranges, added in chunk order.
    let chunks = ComputeThreads.chunkCount(rows, minimumPerThread: 64)
    let partials = Workspace.current.prepare("layernorm.partials", chunks: chunks, count: 2 * d)
    for p in partials { p.value.update(repeating: 0, count: 2 * d) }
    x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { dyb in
            let xp = UncheckedSendable(xb.baseAddress!), dyp = UncheckedSendable(dyb.baseAddress!)
            ComputeThreads.forEachChunk(rows, minimumPerThread: 64) { chunk, range in
                let gw = partials[chunk].value, gb = gw + d
                for r in range {
                    let m = meanV.value[r], inv = rstdV.value[r]
                    let src = xp.value + r * d, g = dyp.value + r * d
                    for i in 0..<d {
                        gw[i] += g[i] * (src[i] - m) * inv
                        gb[i] += g[i]
                    }
                }
            }
        }
    }
    for c in 0..<chunks {
        let gw = partials[c].value
        for i in 0..<d { weightGradient.data[i] += gw[i]; biasGradient.data[i] += gw[d + i] }
    }
    x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { dyb in
            dx.data.withUnsafeMutableBufferPointer { dxb in
                let xp = UncheckedSendable(xb.baseAddress!), dyp = UncheckedSendable(dyb.baseAddress!)
                let dxp = UncheckedSendable(dxb.baseAddress!)
                ComputeThreads.forEachChunk(rows, minimumPerThread: 64) { _, range in
                    for r in range {
                        let m = meanV.value[r], inv = rstdV.value[r]
                        let src = xp.value + r * d, g = dyp.value + r * d, dst = dxp.value + r * d
                        var sumD: Float = 0, sumDX: Float = 0
                        for i in 0..<d {
                            let dh = g[i] * w.value[i]
                            sumD += dh
                            sumDX += dh * (src[i] - m) * inv
                        }
                        let meanD = sumD / Float(d), meanDX = sumDX / Float(d)
                        for i in 0..<d {
                            let xhat = (src[i] - m) * inv
                            dst[i] = inv * (g[i] * w.value[i] - meanD - xhat * meanDX)
                        }
                    }
                }
            }
        }
    }
    return dx
}
