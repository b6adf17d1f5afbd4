/// Nearest-neighbour 2x upsampling of NCHW (ldm `openaimodel.Upsample`:
/// `F.interpolate(x, scale_factor=2, mode="nearest")`): y[.., 2i+a, 2j+b] = x[.., i, j].
public func upsampleNearest2x(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "upsample expects NCHW, got \(x.shape)")
    let planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
    var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], 2 * h, 2 * w])
    x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            let xp = UncheckedSendable(xb.baseAddress!), yp = UncheckedSendable(yb.baseAddress!)
            ComputeThreads.forEachChunk(planes, minimumPerThread: 8) { _, range in
                for p in range {
                    let src = xp.value + p * h * w, dst = yp.value + p * 4 * h * w
                    for i in 0..<h {
                        let row = dst + 2 * i * 2 * w
                        for j in 0..<w { let v = src[i * w + j]; row[2 * j] = v; row[2 * j + 1] = v }
                        (row + 2 * w).update(from: row, count: 2 * w)
                    }
                }
            }
        }
    }
    return y
}

/// Gradient of `upsampleNearest2x`: each input pixel receives the sum of its 2x2 block.
public func upsampleNearest2xBackward(_ dy: Tensor) -> Tensor {
    precondition(dy.rank == 4 && dy.shape[2] % 2 == 0 && dy.shape[3] % 2 == 0, "upsample gradient must be NCHW with even H, W: \(dy.shape)")
    let h = dy.shape[2] / 2, w = dy.shape[3] / 2
    var dx = Tensor(shape: [dy.shape[0], dy.shape[1], h, w])
    for p in 0..<(dy.shape[0] * dy.shape[1]) {
        for i in 0..<h {
            for j in 0..<w {
                let base = p * 4 * h * w + 2 * i * 2 * w + 2 * j
                dx.data[p * h * w + i * w + j] = dy.data[base] + dy.data[base + 1] + dy.data[base + 2 * w] + dy.data[base + 2 * w + 1]
            }
        }
    }
    return dx
}
