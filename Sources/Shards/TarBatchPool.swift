import Foundation

/// Batches handed back by finished `TarWriter`s, for the next writer of the same batch size: a
/// shard sequence then reuses one set of staging buffers instead of faulting in fresh pages
/// (32 MiB under direct I/O) for every shard. Holds at most `limitBytes` of idle buffers.
final class TarBatchPool: @unchecked Sendable {
    /// The process-wide pool.
    static let shared = TarBatchPool(limitBytes: 32 << 20)

    private let limitBytes: Int
    private var idle: [Int: [TarBatch]] = [:]
    private let lock = NSLock()

    init(limitBytes: Int) { self.limitBytes = limitBytes }

    /// `count` empty batches of `capacity` bytes, reused where possible.
    func take(count: Int, capacity: Int) -> [TarBatch] {
        let reused: [TarBatch] = lock.withLock {
            let available = idle[capacity] ?? []
            let taken = Array(available.suffix(count))
            idle[capacity] = Array(available.dropLast(taken.count))
            return taken
        }
        return reused + (reused.count..<count).map { _ in TarBatch(capacity: capacity) }
    }

    /// Takes back batches no thread uses any more; keeps what fits under the limit.
    func give(_ batches: [TarBatch]) {
        for batch in batches { batch.reset() }
        lock.withLock {
            var held = idle.reduce(0) { $0 + $1.key * $1.value.count }
            for batch in batches where held + batch.capacity <= limitBytes {
                idle[batch.capacity, default: []].append(batch)
                held += batch.capacity
            }
        }
    }
}
