/// Zero padding of the two spatial axes of NCHW images (PyTorch
/// `F.pad(x, (left, right, top, bottom), mode="constant", value=0)` on a 4-D tensor), with
/// independent amounts per side, so asymmetric pads work: ldm's VAE `Downsample` pads (0, 1, 0, 1)
/// (right and bottom only) before a stride-2 convolution without padding.
/// x [N, C, H, W] -> [N, C, top + H + bottom, left + W + right].
public func pad2d(_ x: Tensor, top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0) -> Tensor {
    precondition(x.rank == 4, "pad2d expects NCHW, got \(x.shape)")
    precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0,
                 "pad2d amounts must be non-negative, got top \(top) bottom \(bottom) left \(left) right \(right)")
    let planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
    let ph = top + h + bottom, pw = left + w + right
    var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], ph, pw])
    x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            let xp = UncheckedSendable(xb.baseAddress!), yp = UncheckedSendable(yb.baseAddress!)
            ComputeThreads.forEachChunk(planes, minimumPerThread: 8) { _, range in
                for p in range {
                    let src = xp.value + p * h * w, dst = yp.value + p * ph * pw
                    dst.update(repeating: 0, count: top * pw)
                    for i in 0..<h {
                        let row = dst + (top + i) * pw
                        row.update(repeating: 0, count: left)
                        (row + left).update(from: src + i * w, count: w)
                        (row + left + w).update(repeating: 0, count: right)
                    }
                    (dst + (top + h) * pw).update(repeating: 0, count: bottom * pw)
                }
            }
        }
    }
    return y
}

/// Gradient of `pad2d`: the upstream gradient cropped back to the unpadded region (padding
/// constants receive no gradient). dy [N, C, top + H + bottom, left + W + right] -> [N, C, H, W].
public func pad2dBackward(_ dy: Tensor, top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0) -> Tensor {
    precondition(dy.rank == 4 && dy.shape[2] > top + bottom && dy.shape[3] > left + right,
                 "pad2d gradient \(dy.shape) is smaller than the padding (top \(top) bottom \(bottom) left \(left) right \(right))")
    let planes = dy.shape[0] * dy.shape[1], ph = dy.shape[2], pw = dy.shape[3]
    let h = ph - top - bottom, w = pw - left - right
    var dx = Tensor(uninitializedShape: [dy.shape[0], dy.shape[1], h, w])
    dy.data.withUnsafeBufferPointer { gb in
        dx.data.withUnsafeMutableBufferPointer { db in
            let gp = UncheckedSendable(gb.baseAddress!), dp = UncheckedSendable(db.baseAddress!)
            ComputeThreads.forEachChunk(planes, minimumPerThread: 8) { _, range in
                for p in range {
                    let src = gp.value + p * ph * pw, dst = dp.value + p * h * w
                    for i in 0..<h { (dst + i * w).update(from: src + (top + i) * pw + left, count: w) }
                }
            }
        }
    }
    return dx
}
