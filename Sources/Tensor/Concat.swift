/// Concatenation along any axis (PyTorch `torch.cat(tensors, dim=axis)`); the UNet uses axis 1
/// (channels of NCHW) for skip connections, and the dual cross-attention slices tokens (axis 1
/// of [B, L, C]). All other dimensions must match.
public func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
    precondition(!tensors.isEmpty, "concat of nothing")
    let first = tensors[0].shape
    for t in tensors {
        precondition(t.rank == first.count && (0..<first.count).allSatisfy { $0 == axis || t.shape[$0] == first[$0] },
                     "concat on axis \(axis): shape \(t.shape) does not match \(first)")
    }
    let outer = first[..<axis].reduce(1, *), inner = first[(axis + 1)...].reduce(1, *)
    let total = tensors.reduce(0) { $0 + $1.shape[axis] }
    var shape = first
    shape[axis] = total
    var y = Tensor(shape: shape)
    var offset = 0
    for t in tensors {
        let block = t.shape[axis] * inner
        for o in 0..<outer {
            let dst = (o * total) * inner + offset
            y.data.withUnsafeMutableBufferPointer { yb in
                t.data.withUnsafeBufferPointer { tb in
                    (yb.baseAddress! + dst).update(from: tb.baseAddress! + o * block, count: block)
                }
            }
        }
        offset += block
    }
    return y
}

/// Splits along an axis into pieces of the given sizes (PyTorch `torch.split(x, sizes, dim=axis)`);
/// it is also the backward of `concat`.
public func split(_ x: Tensor, sizes: [Int], axis: Int) -> [Tensor] {
    precondition(sizes.reduce(0, +) == x.shape[axis], "split sizes \(sizes) do not add up to \(x.shape[axis]) on axis \(axis)")
    let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
    let total = x.shape[axis]
    var pieces: [Tensor] = []
    var offset = 0
    for size in sizes {
        var shape = x.shape
        shape[axis] = size
        var t = Tensor(shape: shape)
        let block = size * inner
        t.data.withUnsafeMutableBufferPointer { tb in
            x.data.withUnsafeBufferPointer { xb in
                for o in 0..<outer {
                    (tb.baseAddress! + o * block).update(from: xb.baseAddress! + o * total * inner + offset, count: block)
                }
            }
        }
        pieces.append(t)
        offset += block
    }
    return pieces
}
