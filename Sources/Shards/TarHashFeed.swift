import Foundation

/// The hash side of `TarWriter`: the archive's pieces in order (each header, member and padding),
/// hashed on a background thread with `ShardHasher`. Members are held by reference (a Swift array
/// is retained, not copied), so the hash reads the caller's bytes and never waits for, nor holds
/// back, the write batches: a shard's file can be complete while its hash still runs, and the
/// next shard fills and hashes on another core meanwhile (`ShardSequenceWriter`'s shards in flight).
/// The backlog is bounded: at most `backlogBytes` (in chunks of about `chunkBytes`, or one large
/// member each) wait for the hash before the filling thread blocks.
final class TarHashFeed {
    /// One run of archive bytes: an array (header, member) or a run of zero bytes (padding, end blocks).
    enum Piece: Sendable {
        case bytes([UInt8])
        case zeros(Int)
    }

    /// Pieces are handed to the hash thread in chunks of about this many bytes.
    static let chunkBytes = 4 << 20
    /// Default bound on the bytes waiting for the hash (referenced, so mostly the caller's own arrays).
    static let defaultBacklogBytes = 256 << 20

    private let hasher: ShardHasher
    private let worker: OrderedWorker
    private var pending: [Piece] = []
    private var pendingBytes = 0

    /// A feed whose hash thread lags the filling thread by at most about `backlogBytes`.
    init(hasher: ShardHasher = ShardHasher(), backlogBytes: Int = TarHashFeed.defaultBacklogBytes) {
        self.hasher = hasher
        worker = OrderedWorker(label: "cn.shards.hash", free: max(2, backlogBytes / Self.chunkBytes))
    }

    /// Which SHA-256 implementation hashes ("libcrypto" or "swift").
    var backend: String { hasher.backend }

    /// Adds the next bytes of the archive (the array is retained until hashed).
    func add(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        pending.append(.bytes(bytes))
        grew(by: bytes.count)
    }

    /// Adds `count` zero bytes.
    func addZeros(_ count: Int) {
        guard count > 0 else { return }
        pending.append(.zeros(count))
        grew(by: count)
    }

    /// Hands what is pending to the hash thread, waits for it, and returns the lower-case hex digest.
    func finish() -> String {
        submit()
        worker.drain()
        return hasher.finalizeHex()
    }

    /// Waits until every submitted piece is hashed (error paths; the digest is not taken).
    func drain() { worker.drain() }

    private func grew(by count: Int) {
        pendingBytes += count
        if pendingBytes >= Self.chunkBytes { submit() }
    }

    private func submit() {
        guard !pending.isEmpty else { return }
        worker.acquire()
        let job = Job(pieces: pending, hasher: hasher)
        worker.submit { job.run() }
        pending = []
        pendingBytes = 0
    }

    /// One chunk of pieces for the hash thread; the hasher is only touched there (jobs run in order).
    private struct Job: @unchecked Sendable {
        let pieces: [Piece]
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
