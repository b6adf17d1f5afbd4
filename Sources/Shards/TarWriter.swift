import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// A streaming ustar writer (POSIX ustar, pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html): each member is a 512-byte
/// header plus data padded to 512, the archive ends with two zero blocks. The calling thread only
/// fills batches (`TarBatch`) that output threads (`OrderedWorker`) write (`TarFileOutput`, one
/// `writev`, no syscall per member), and lists the same pieces for the hash thread (`TarHashFeed`),
/// which computes the archive's SHA-256 from the caller's arrays, so a shard's index needs no second
/// read and neither the disk nor the hash waits for the other: the file can be complete while the
/// hash still runs (bounded by `TarHashFeed`'s backlog). Members given as arrays of at least
/// `sharedMemberMinimum` bytes are written in place, not copied; on local disk filesystems the file
/// takes direct I/O (`DirectIO`) instead, where every byte is copied once into 4 MiB aligned
/// batches, which skips the kernel's far dearer copy into the page cache.
///
/// The writer only writes where it is told; publishing under a final name (temp, fsync, rename)
/// is the job of `ShardSequenceWriter` / `AtomicFile`.
public final class TarWriter {
    /// The file being written (or the label of a descriptor given to `init(fileDescriptor:)`).
    public let path: String
    /// Header fields fixed for reproducibility.
    public let options: TarOptions
    /// Archive bytes produced so far (written or buffered).
    public private(set) var byteCount = 0
    /// The SHA-256 implementation in use ("libcrypto" or "swift").
    public var hashBackend: String { hash.backend }
    /// Number of members appended so far.
    public private(set) var memberCount = 0
    /// Does the file take direct I/O (see `DirectIO`)? Set when it is opened.
    public let usesDirectIO: Bool
    /// Members of at least this many bytes, given as arrays, are referenced rather than copied.
    static let sharedMemberMinimum = 16 << 10
    /// Output threads under direct I/O: two keep a write in flight while the next is issued; more
    /// contend for the file's lock (ext4 serialises writes that extend a file) and cost CPU for no
    /// speed (scripts/bench/shards with 4 threads: about 0.1 CPU-seconds more per 590 MB here).
    static let directOutputThreads = 2

    private var fd: Int32
    private let ownsDescriptor: Bool
    private let batchBytes: Int
    private let batches: [TarBatch]
    private var active = 0
    private var written = 0
    private let hash = TarHashFeed()
    private let output: TarFileOutput
    private let writing: [OrderedWorker]
    private var finished = false
    private var batchesReturned = false

    /// Creates (or truncates) `path`; bytes leave in writes of about `bufferSize` bytes. With
    /// `directIO` false the file is always written through the page cache.
    public init(path: String, options: TarOptions = .reproducible, bufferSize: Int = 1 << 20, directIO: Bool = true) throws {
        self.path = path
        self.options = options
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, operation: "create", errno: errno) }
        self.fd = fd
        ownsDescriptor = true
        usesDirectIO = directIO && DirectIO.enable(fd)
        output = TarFileOutput(fd: fd, path: path, direct: usesDirectIO)
        (batchBytes, batches, writing) = Self.pipeline(bufferSize: usesDirectIO ? max(bufferSize, 4 << 20) : bufferSize,
                                                                outputThreads: usesDirectIO ? Self.directOutputThreads : 1)
    }

    /// Streams into an already open descriptor (a pipe, a socket, an open file); `label` names it
    /// in errors. `finish` fsyncs it only when it is a regular file, and closes it only if `closeWhenDone`.
    public init(fileDescriptor: Int32, label: String, closeWhenDone: Bool = false, options: TarOptions = .reproducible,
                bufferSize: Int = 1 << 20) {
        self.path = label
        self.options = options
        self.fd = fileDescriptor
        ownsDescriptor = closeWhenDone
        usesDirectIO = false
        output = TarFileOutput(fd: fileDescriptor, path: label, direct: false)
        (batchBytes, batches, writing) = Self.pipeline(bufferSize: bufferSize, outputThreads: 1)
    }

    /// Batches of `bufferSize` bytes (rounded to the direct I/O alignment), enough of them (8 MiB
    /// or more in flight, two per output thread) that no thread waits on another's short stalls.
    /// Batch `i` always goes to output thread `i % outputThreads` (the count is a multiple of it).
    private static func pipeline(bufferSize: Int, outputThreads: Int) -> (Int, [TarBatch], [OrderedWorker]) {
        let size = (max(bufferSize, 64 << 10) + DirectIO.alignment - 1) / DirectIO.alignment * DirectIO.alignment
        let count = (max(2 * outputThreads, 4, min(16, (8 << 20) / size)) + outputThreads - 1) / outputThreads * outputThreads
        let writers = (0..<outputThreads).map { thread in
            OrderedWorker(label: "cn.shards.write", free: count / outputThreads - (thread == 0 ? 1 : 0))
        }
        return (size, TarBatchPool.shared.take(count: count, capacity: size), writers)
    }

    deinit {
        for worker in writing { worker.drain() }
        hash.drain()
        if fd >= 0, ownsDescriptor { close(fd) }
        returnBatches()
    }

    /// Appends one regular-file member with the given contents; large arrays are written in place
    /// (unless the file takes direct I/O, which needs every byte in an aligned batch).
    public func append(path memberPath: String, bytes: [UInt8]) throws {
        try putHeader(memberPath, size: bytes.count)
        hash.add(bytes)
        if bytes.count >= Self.sharedMemberMinimum, !usesDirectIO {
            if !batch.hasSegmentRoom { try flush() }
            batch.share(bytes)
            byteCount += bytes.count
        } else {
            try bytes.withUnsafeBytes { try put($0) }
        }
        try putPadding(after: bytes.count)
    }

    /// Appends one regular-file member whose contents are a raw buffer (copied).
    public func append(path memberPath: String, contents: UnsafeRawBufferPointer) throws {
        try putHeader(memberPath, size: contents.count)
        hash.add(Array(contents))
        try put(contents)
        try putPadding(after: contents.count)
    }

    /// Ends the archive (two zero blocks), writes out the last batch, fsyncs and closes the file.
    /// Returns the archive size and the lower-case hex SHA-256 of its bytes.
    @discardableResult
    public func finish() throws -> (byteCount: Int, sha256: String) {
        guard !finished else { throw ShardError(.tarClosed, "the tar \(path) is already finished") }
        hash.addZeros(2 * TarHeader.blockSize)
        try putZeros(2 * TarHeader.blockSize)
        try flush()
        finished = true
        for worker in writing { worker.drain() }
        returnBatches()
        try output.check()
        // The fsync waits for the disk while the hash thread finishes its backlog.
        var status = stat()
        if fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, fsync(fd) != 0 {
            hash.drain()
            throw FileWriteError(path: path, operation: "fsync", errno: errno)
        }
        let sha = hash.finish()
        if ownsDescriptor, close(fd) != 0 { fd = -1; throw FileWriteError(path: path, operation: "close", errno: errno) }
        fd = -1
        return (byteCount, sha)
    }

    /// Closes the file without ending the archive (what a crash leaves behind); for tests and error paths.
    public func abandon() {
        for worker in writing { worker.drain() }
        returnBatches()
        hash.drain()
        finished = true
        if fd >= 0, ownsDescriptor { close(fd) }
        fd = -1
    }

    private var batch: TarBatch { batches[active] }

    /// Gives the batches back to the pool once the output threads are done with them (the hash
    /// never reads them), so the next shard can take them while this one's fsync and hash finish.
    private func returnBatches() {
        guard !batchesReturned else { return }
        batchesReturned = true
        TarBatchPool.shared.give(batches)
    }

    private func putHeader(_ memberPath: String, size: Int) throws {
        guard !finished else { throw ShardError(.tarClosed, "cannot append \(memberPath): the tar \(path) is already finished") }
        let header = try TarHeader.encode(path: memberPath, size: size, options: options)
        hash.add(header)
        try header.withUnsafeBytes { try put($0) }
        memberCount += 1
    }

    private func putPadding(after size: Int) throws {
        let padding = TarHeader.paddedSize(size) - size
        hash.addZeros(padding)
        if padding > 0 { try putZeros(padding) }
        if batch.byteCount >= batchBytes { try flush() }
    }

    private func put(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if batch.stagingFree == 0 || !batch.hasSegmentRoom { try flush() }
            let n = min(bytes.count - offset, batch.stagingFree)
            batch.stage(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            offset += n
        }
        byteCount += bytes.count
    }

    private func putZeros(_ count: Int) throws {
        var left = count
        while left > 0 {
            if batch.stagingFree == 0 || !batch.hasSegmentRoom { try flush() }
            let n = min(left, batch.stagingFree)
            batch.stageZeros(n)
            left -= n
        }
        byteCount += count
    }

    /// Hands the full batch to its output thread, then moves to the next batch once its output
    /// thread is done with its previous contents. A write failure of an earlier batch surfaces here.
    private func flush() throws {
        let full = batch
        guard full.byteCount > 0 else { return }
        try output.check()
        let job = Job(batch: full, output: output, offset: written)
        written += full.byteCount
        writing[active % writing.count].submit { job.output.write(job.batch, at: job.offset) }
        active = (active + 1) % batches.count
        writing[active % writing.count].acquire()
        batch.reset()
    }

    /// What an output thread needs of one full batch.
    private struct Job: @unchecked Sendable {
        let batch: TarBatch
        let output: TarFileOutput
        let offset: Int
    }
}
