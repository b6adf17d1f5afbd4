import Foundation

/// The file side of `TarWriter`: on its own thread, copies chunks of the archive's pieces
/// (`TarPiece`) into batches (`TarBatch`), or references large members in place when the file is
/// buffered, and hands each full batch to an output thread (`TarFileOutput`, one `writev` each).
/// Batch `i` always goes to output thread `i % outputThreads`; a batch is refilled only after its
/// output thread wrote it. The calling thread of `TarWriter` then only lists pieces, so it can
/// move on to the next shard while this one's bytes are still being copied and written.
final class TarBatchFiller: @unchecked Sendable {
    /// Members of at least this many bytes, given as arrays, are referenced rather than copied.
    static let sharedMemberMinimum = 16 << 10

    /// The output (its first write failure is kept there).
    let output: TarFileOutput
    private let direct: Bool
    private let batchBytes: Int
    private let batches: [TarBatch]
    private let writing: [OrderedWorker]
    private let filling: OrderedWorker
    private var active = 0
    private var written = 0
    private var batchesReturned = false

    /// A filler writing to `output` (`direct`: every byte copied into aligned batches) through
    /// `outputThreads` threads, with batches of about `bufferSize` bytes and at most `slots` chunks queued.
    init(output: TarFileOutput, direct: Bool, bufferSize: Int, outputThreads: Int, slots: Int) {
        self.output = output
        self.direct = direct
        // Enough batches (8 MiB or more in flight, two per output thread) that no thread waits on another's short stalls.
        let size = (max(bufferSize, 64 << 10) + DirectIO.alignment - 1) / DirectIO.alignment * DirectIO.alignment
        let count = (max(2 * outputThreads, 4, min(16, (8 << 20) / size)) + outputThreads - 1) / outputThreads * outputThreads
        writing = (0..<outputThreads).map { thread in
            OrderedWorker(label: "cn.shards.write", free: count / outputThreads - (thread == 0 ? 1 : 0))
        }
        batchBytes = size
        batches = TarBatchPool.shared.take(count: count, capacity: size)
        filling = OrderedWorker(label: "cn.shards.fill", free: max(2, slots))
    }

    deinit {
        drain()
        returnBatches()
    }

    /// Queues the next chunk of the archive (waits while `slots` chunks are queued).
    func submit(_ chunk: [TarPiece]) {
        filling.acquire()
        let job = Job(filler: self, pieces: chunk)
        filling.submit { job.filler.fill(job.pieces) }
    }

    /// Writes out everything queued, the last (partial) batch included, and gives the batches back.
    func finish() {
        filling.drain()
        flush()
        for worker in writing { worker.drain() }
        returnBatches()
    }

    /// Waits until every queued chunk and write is done (error paths).
    func drain() {
        filling.drain()
        for worker in writing { worker.drain() }
    }

    private var batch: TarBatch { batches[active] }

    /// Runs on the fill thread: copies or references each piece into batches.
    private func fill(_ pieces: [TarPiece]) {
        for piece in pieces {
            switch piece {
            case .bytes(let bytes) where bytes.count >= Self.sharedMemberMinimum && !direct:
                if !batch.hasSegmentRoom { flush() }
                batch.share(bytes)
            case .bytes(let bytes):
                bytes.withUnsafeBytes { stage($0) }
            case .zeros(let count):
                stageZeros(count)
            }
            if batch.byteCount >= batchBytes { flush() }
        }
    }

    private func stage(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            if batch.stagingFree == 0 || !batch.hasSegmentRoom { flush() }
            let n = min(bytes.count - offset, batch.stagingFree)
            batch.stage(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            offset += n
        }
    }

    private func stageZeros(_ count: Int) {
        var left = count
        while left > 0 {
            if batch.stagingFree == 0 || !batch.hasSegmentRoom { flush() }
            let n = min(left, batch.stagingFree)
            batch.stageZeros(n)
            left -= n
        }
    }

    /// Hands the full batch to its output thread, then moves to the next batch once its output
    /// thread is done with that one's previous contents. After a write failure the output skips.
    private func flush() {
        let full = batch
        guard full.byteCount > 0 else { return }
        let job = WriteJob(batch: full, output: output, offset: written)
        written += full.byteCount
        writing[active % writing.count].submit { job.output.write(job.batch, at: job.offset) }
        active = (active + 1) % batches.count
        writing[active % writing.count].acquire()
        batch.reset()
    }

    /// Gives the batches back to the pool once the output threads are done with them, so the next
    /// shard can take them while this one's fsync and hash finish.
    private func returnBatches() {
        guard !batchesReturned else { return }
        batchesReturned = true
        TarBatchPool.shared.give(batches)
    }

    /// One chunk for the fill thread.
    private struct Job: @unchecked Sendable {
        let filler: TarBatchFiller
        let pieces: [TarPiece]
    }

    /// What an output thread needs of one full batch.
    private struct WriteJob: @unchecked Sendable {
        let batch: TarBatch
        let output: TarFileOutput
        let offset: Int
    }
}
