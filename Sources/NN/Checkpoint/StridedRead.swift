import Tensor

/// Materialises a strided view of a stored buffer as a C-order float32 tensor, as PyTorch's
/// `torch/_utils.py` `_rebuild_tensor` (`set_(storage, offset, size, stride)`) followed by
/// `.contiguous().float()` would: transposed views and tensors sharing one storage come out right,
/// and every extent, stride and offset is checked against the storage first.
enum StridedRead {
    /// The layout of one tensor inside its storage, in elements.
    struct Layout {
        var offset: Int
        var shape: [Int]
        var strides: [Int]
    }

    /// The verdict on a layout: its element count, or why it does not fit its storage.
    enum Fit {
        case fits(Int)
        case misfit(String)
    }

    /// Checks `layout` against a storage of `storageCount` elements.
    static func validate(_ layout: Layout, storageCount: Int) -> Fit {
        guard layout.shape.count == layout.strides.count else {
            return .misfit("shape \(layout.shape) and strides \(layout.strides) differ in rank")
        }
        guard layout.offset >= 0, layout.strides.allSatisfy({ $0 >= 0 }) else {
            return .misfit("negative storage offset \(layout.offset) or stride \(layout.strides)")
        }
        guard let count = Checked.product(layout.shape) else {
            return .misfit("shape \(layout.shape) has a negative extent or too many elements")
        }
        if count == 0 { return .fits(0) }
        var last = layout.offset
        for (size, stride) in zip(layout.shape, layout.strides) {
            guard let step = Checked.multiply(size - 1, stride), let next = Checked.add(last, step) else {
                return .misfit("offset \(layout.offset) with shape \(layout.shape) and strides \(layout.strides) overflows")
            }
            last = next
        }
        guard last < storageCount else {
            return .misfit("shape \(layout.shape), strides \(layout.strides) and offset \(layout.offset) reach element \(last) of a storage of \(storageCount)")
        }
        return .fits(count)
    }

    /// Reads a validated layout (`count` elements) from `base` as float32 in C order.
    static func read(_ base: UnsafeRawPointer, dtype: StoredDType, layout: Layout, count: Int) -> Tensor {
        let data = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            defer { initialized = count }
            guard count > 0, let out = out.baseAddress else { return }
            if isContiguous(layout) {
                ElementConversion.convert(base + layout.offset * dtype.size, count: count, dtype: dtype, into: out)
                return
            }
            let rank = layout.shape.count
            let inner = layout.shape[rank - 1], innerStride = layout.strides[rank - 1]
            var index = [Int](repeating: 0, count: max(rank - 1, 0))
            var start = layout.offset
            var written = 0
            while written < count {
                for i in 0..<inner { out[written + i] = ElementConversion.load(base, start + i * innerStride, dtype) }
                written += inner
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    start += layout.strides[d]
                    if index[d] < layout.shape[d] { break }
                    start -= layout.strides[d] * layout.shape[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
        return Tensor(shape: layout.shape, data: data)
    }

    /// True when the strides are C order (dimensions of extent 1 may carry any stride).
    static func isContiguous(_ layout: Layout) -> Bool {
        var expected = 1
        for d in stride(from: layout.shape.count - 1, through: 0, by: -1) {
            if layout.shape[d] != 1 && layout.strides[d] != expected { return false }
            expected *= layout.shape[d]
        }
        return true
    }
}
