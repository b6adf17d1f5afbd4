/// NCHW images to token sequences and back: ldm's `rearrange(x, 'b c h w -> b (h w) c')` and
/// its inverse, used around the transformer blocks of a SpatialTransformer. Each is the other's
/// backward pass.
public func imageToTokens(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "imageToTokens expects NCHW, got \(x.shape)")
    let n = x.shape[0], c = x.shape[1], hw = x.shape[2] * x.shape[3]
    var y = Tensor(uninitializedShape: [n, hw, c])
    transposeBlocks(x.data, &y.data, batches: n, rows: c, columns: hw)
    return y
}

/// [B, H*W, C] tokens back to [B, C, H, W] images.
public func tokensToImage(_ x: Tensor, height: Int, width: Int) -> Tensor {
    precondition(x.rank == 3 && x.shape[1] == height * width, "tokensToImage: \(x.shape) is not [B, \(height)*\(width), C]")
    let n = x.shape[0], c = x.shape[2]
    var y = Tensor(uninitializedShape: [n, c, height, width])
    transposeBlocks(x.data, &y.data, batches: n, rows: height * width, columns: c)
    return y
}

/// For each batch, dst[col, row] = src[row, col] (rows x columns -> columns x rows), in 32x32 tiles.
private func transposeBlocks(_ src: [Float], _ dst: inout [Float], batches: Int, rows: Int, columns: Int) {
    src.withUnsafeBufferPointer { sb in
        dst.withUnsafeMutableBufferPointer { db in
            let sp = UncheckedSendable(sb.baseAddress!), dp = UncheckedSendable(db.baseAddress!)
            ComputeThreads.forEachChunk(batches) { _, range in
                for b in range {
                    let s = sp.value + b * rows * columns, d = dp.value + b * rows * columns
                    var r0 = 0
                    while r0 < rows {
                        var c0 = 0
                        while c0 < columns {
                            for r in r0..<min(r0 + 32, rows) {
                                for c in c0..<min(c0 + 32, columns) { d[c * rows + r] = s[r * columns + c] }
                            }
                            c0 += 32
                        }
                        r0 += 32
                    }
                }
            }
        }
    }
}
