import Synchronization

/// Recycles large float arrays between training steps, so the biggest per-step tensors
/// (attention probabilities: batch x heads x L x L, 268 MB at 32x32 tokens, batch 8, 8 heads)
/// are not unmapped and page-faulted back in every step. Ops that overwrite every element take
/// their output from here (`Tensor(uninitializedShape:)`); layers give big caches back after
/// their backward pass (`recycle`). Arrays are matched by exact element count; small arrays
/// (< 64 Ki elements) are left to malloc, which already reuses them well.
public final class BufferPool: Sendable {
    /// The process-wide pool.
    public static let shared = BufferPool()

    private let free = Mutex<[Int: [[Float]]]>([:])
    private let minimumCount = 1 << 16
    private let perSize = 4

    /// Creates an empty pool.
    public init() {}

    /// An array of exactly `count` elements whose contents are undefined (recycled or fresh).
    public func take(count: Int) -> [Float] {
        if count >= minimumCount, let reused = free.withLock({ $0[count]?.popLast() }) { return reused }
        return [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Hands an array back for reuse (kept only when large; at most four per size).
    public func recycle(_ array: [Float]) {
        guard array.count >= minimumCount else { return }
        free.withLock { lists in
            if lists[array.count, default: []].count < perSize { lists[array.count, default: []].append(array) }
        }
    }

    /// Drops every pooled array.
    public func drain() { free.withLock { $0.removeAll() } }
}

extension Tensor {
    /// A tensor whose elements are undefined (taken from `BufferPool.shared`): for op outputs
    /// that overwrite every element.
    public init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, data: BufferPool.shared.take(count: shape.reduce(1, *)))
    }
}
