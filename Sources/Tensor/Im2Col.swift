/// im2col / col2im for one image (Caffe / PyTorch `unfold` layout): the column matrix has
/// C*kh*kw rows (row = (c*kh + i)*kw + j) and Ho*Wo columns, zero where the kernel reads padding.
struct ConvGeometry: Sendable {
    let channels, height, width, kernel, stride, padding: Int
    var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    var rows: Int { channels * kernel * kernel }
    var columns: Int { outHeight * outWidth }
    /// A 1x1, stride 1, unpadded kernel: the image itself is the column matrix.
    var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }

    init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        (self.channels, self.height, self.width) = (channels, height, width)
        (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
    }

    /// The geometry of `conv2d(x, weight:)`; x [N, C, H, W], weight [O, C, k, k] (square).
    init(input x: Tensor, weight: Tensor, stride: Int, padding: Int) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3], "conv2d expects a square [O, C, k, k] weight, got \(weight.shape)")
        precondition(x.rank == 4 && x.shape[1] == weight.shape[1], "conv2d expects [N, \(weight.shape[1]), H, W], got \(x.shape)")
        self.init(channels: x.shape[1], height: x.shape[2], width: x.shape[3], kernel: weight.shape[2],
                  stride: stride, padding: padding)
    }

    /// Output columns ow whose input column ow*stride - padding + j lies inside [0, width).
    @inline(__always)
    func validRange(_ j: Int) -> Range<Int> {
        // ow*s - p + j >= 0  <=>  ow >= ceil((p - j) / s)
        let lo = max(0, (padding - j + stride - 1) / stride)
        // ow*s - p + j <= W-1  <=>  ow <= floor((W - 1 + p - j) / s)
        let top = width - 1 + padding - j
        let hi = top < 0 ? 0 : min(outWidth, top / stride + 1)
        return lo..<max(lo, hi)
    }

    /// Fills `cols` (rows x columns) from image `x` (C x H x W).
    func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>) {
        if stride == 1 && outWidth == width { return sameWidthIm2col(x, cols) }
        let ho = outHeight, wo = outWidth, k = kernel
        for c in 0..<channels {
            for i in 0..<k {
                for j in 0..<k {
                    let row = cols + ((c * k + i) * k + j) * ho * wo
                    let valid = validRange(j)
                    for oh in 0..<ho {
                        let dst = row + oh * wo
                        let ih = oh * stride - padding + i
                        if ih < 0 || ih >= height || valid.isEmpty {
                            dst.update(repeating: 0, count: wo)
                            continue
                        }
                        if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
                        if valid.upperBound < wo { (dst + valid.upperBound).update(repeating: 0, count: wo - valid.upperBound) }
                        let src = x + (c * height + ih) * width - padding + j
                        if stride == 1 {
                            (dst + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
                        } else {
                            for ow in valid { dst[ow] = src[ow * stride] }
                        }
                    }
                }
            }
        }
    }

    /// `im2col` for stride 1 and an output as wide as the input ("same" padding): a row of the
    /// column matrix is the image plane shifted by (i - p) rows and (j - p) columns, so its valid
    /// output rows are one contiguous copy, after which the columns that read padding (and
    /// wrapped into the neighbouring row) are zeroed.
    private func sameWidthIm2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>) {
        let ho = outHeight, wo = outWidth, k = kernel, plane = height * width
        for c in 0..<channels {
            let image = x + c * plane
            for i in 0..<k {
                // Output rows oh with 0 <= oh - p + i < H.
                let rowLo = max(0, padding - i), rowHi = min(ho, height + padding - i)
                for j in 0..<k {
                    let row = cols + ((c * k + i) * k + j) * ho * wo
                    let valid = validRange(j)
                    guard rowLo < rowHi, !valid.isEmpty else {
                        row.update(repeating: 0, count: ho * wo)
                        continue
                    }
                    if rowLo > 0 { row.update(repeating: 0, count: rowLo * wo) }
                    if rowHi < ho { (row + rowHi * wo).update(repeating: 0, count: (ho - rowHi) * wo) }
                    let shift = (i - padding) * width + (j - padding)
                    let lo = max(rowLo * wo, -shift), hi = min(rowHi * wo, plane - shift)
                    if hi > lo { (row + lo).update(from: image + lo + shift, count: hi - lo) }
                    // Column by column (strided stores): per-row loops of one or two elements
                    // would become a memset call each.
                    for ow in 0..<valid.lowerBound {
                        for oh in rowLo..<rowHi { row[oh * wo + ow] = 0 }
                    }
                    for ow in valid.upperBound..<wo {
                        for oh in rowLo..<rowHi { row[oh * wo + ow] = 0 }
                    }
                }
            }
        }
    }

    /// Writes weight [O, C, k, k] as [C, O*k*k] with both kernel axes reversed:
    /// flipped[c, (o*k + i)*k + j] = weight[o, c, k-1-i, k-1-j], the kernel whose correlation with
    /// dy gives dx for a stride-1 convolution.
    func flipTransposed(_ weight: Tensor, into flipped: UnsafeMutablePointer<Float>, outChannels o: Int) {
        let k = kernel, kk = kernel * kernel
        weight.data.withUnsafeBufferPointer { w in
            for oc in 0..<o {
                for c in 0..<channels {
                    let src = oc * channels * kk + c * kk
                    let dst = c * o * kk + oc * kk
                    for i in 0..<k {
                        for j in 0..<k { flipped[dst + i * k + j] = w[src + (k - 1 - i) * k + (k - 1 - j)] }
                    }
                }
            }
        }
    }

    /// Adds the column-matrix gradient back onto image gradient `dx` (C x H x W), which the caller zeroed.
    func col2im(_ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        let ho = outHeight, wo = outWidth, k = kernel
        for c in 0..<channels {
            for i in 0..<k {
                for j in 0..<k {
                    let row = cols + ((c * k + i) * k + j) * ho * wo
                    let valid = validRange(j)
                    if valid.isEmpty { continue }
                    for oh in 0..<ho {
                        let ih = oh * stride - padding + i
                        if ih < 0 || ih >= height { continue }
                        let src = row + oh * wo
                        let dst = dx + (c * height + ih) * width - padding + j
                        if stride == 1 {
                            for ow in valid { dst[ow] += src[ow] }
                        } else {
                            for ow in valid { dst[ow * stride] += src[ow] }
                        }
                    }
                }
            }
        }
    }
}
