import Foundation

/// The hash side of `TarWriter`: chunks of the archive's pieces (`TarPiece`), hashed in order with
/// `ShardHasher` on a background thread. It reads the caller's arrays, so it never waits for, nor
/// holds back, the file's batches: a shard's file can be complete while its hash still runs, and
/// the next shard fills and hashes on another core meanwhile (`ShardSequenceWriter`'s shards in
/// flight). At most `slots` chunks wait; `submit` blocks the filling thread beyond that.
final class TarHashFeed {
    private let hasher: ShardHasher
    private let worker: OrderedWorker

    /// A feed holding at most `slots` chunks not yet hashed.
    init(slots: Int, hasher: ShardHasher = ShardHasher()) {
        self.hasher = hasher
        worker = OrderedWorker(label: "cn.shards.hash", free: max(2, slots))
    }

    /// Which SHA-256 implementation hashes ("libcrypto" or "swift").
    var backend: String { hasher.backend }

    /// Queues the next chunk of the archive (waits while `slots` chunks are queued).
    func submit(_ chunk: [TarPiece]) {
        worker.acquire()
        let job = Job(pieces: chunk, hasher: hasher)
        worker.submit { job.run() }
    }

    /// Waits for every queued chunk and returns the lower-case hex digest.
    func finish() -> String {
        worker.drain()
        return hasher.finalizeHex()
    }

    /// Waits until every queued chunk is hashed (error paths; the digest is not taken).
    func drain() { worker.drain() }

    /// One chunk for the hash thread; the hasher is only touched there (jobs run in order).
    private struct Job: @unchecked Sendable {
        let pieces: [TarPiece]
        let hasher: ShardHasher

        func run() {
            for piece in pieces {
                switch piece {
                case .bytes(let bytes): bytes.withUnsafeBytes { hasher.update($0) }
                case .zeros(var left):
                    while left > 0 {
                        let n = min(left, zeroBlock.count)
                        zeroBlock.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                        left -= n
                    }
                }
            }
        }
    }
}

/// Zero bytes for hashing padding and end blocks.
private let zeroBlock = [UInt8](repeating: 0, count: 4096)
