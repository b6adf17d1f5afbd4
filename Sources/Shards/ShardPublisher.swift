import Foundation

/// Publishes closed shards (`ClosedShard.publish`) in shard order, with at most `shardsInFlight`
/// shards open at once counting the one being filled. With one, each shard is published on the
/// calling thread before it moves on (the shard is done when `append` returns). With two, a closed
/// shard is finished on a background thread (its hash backlog, fsync, rename, index) while the
/// caller fills the next one, so the SHA-256 of two shards runs on two cores: one SHA-256 stream is
/// otherwise the writer's ceiling. A third shard waits until the oldest is published; memory is
/// then at most two shards' write batches and backlogs (`TarWriter.backlogBytes` each, held by
/// reference: mostly the caller's own sample arrays, kept alive until written and hashed). After a
/// failure the shards queued behind it are discarded, not published, and the failure is thrown.
final class ShardPublisher: @unchecked Sendable {
    /// Most shards open at once, the one being filled included.
    let shardsInFlight: Int

    private let queue = DispatchQueue(label: "cn.shards.publish")
    private let slots = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var published: [ShardIndex] = []
    private var failure: (any Error)?

    /// A publisher keeping at most `shardsInFlight` (1 or more) shards open at once.
    init(shardsInFlight: Int) {
        precondition(shardsInFlight >= 1, "at least one shard must be in flight")
        self.shardsInFlight = shardsInFlight
        for _ in 0..<(shardsInFlight - 1) { slots.signal() }
    }

    /// Publishes `shard`, now or (more than one in flight) in the background once a slot is free.
    /// Throws an earlier shard's failure (and discards `shard`), or this shard's when published now.
    func publish(_ shard: ClosedShard) throws {
        if let failure = lock.withLock({ failure }) {
            shard.discard()
            throw failure
        }
        guard shardsInFlight > 1 else {
            let index = try shard.publish()
            lock.withLock { published.append(index) }
            return
        }
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            if lock.withLock({ failure != nil }) { shard.discard(); return }
            do {
                let index = try shard.publish()
                lock.withLock { published.append(index) }
            } catch {
                lock.withLock { failure = error }
            }
        }
    }

    /// Indexes published since the last call, in shard order; throws a background failure.
    func takePublished() throws -> [ShardIndex] {
        try lock.withLock {
            if let failure { throw failure }
            defer { published.removeAll() }
            return published
        }
    }

    /// Waits until every queued shard is published (or discarded); then as `takePublished`.
    func waitForAll() throws -> [ShardIndex] {
        queue.sync {}
        return try takePublished()
    }
}
