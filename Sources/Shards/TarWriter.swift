import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// A streaming ustar writer (POSIX ustar, pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html): each member is a 512-byte
/// header plus data padded to 512, the archive ends with two zero blocks. Bytes leave in batches
/// (`TarBatch`, one `writev` each, no syscall per member); members given as arrays of at least
/// `sharedMemberMinimum` bytes are written and hashed in place, not copied. The SHA-256 of the
/// archive is computed on the way by a second thread that hashes each batch while the writer
/// fills and writes the next ones, so a shard's index needs no second read.
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
    public var hashBackend: String { hasher.backend }
    /// Number of members appended so far.
    public private(set) var memberCount = 0
    /// Members of at least this many bytes, given as arrays, are referenced rather than copied.
    static let sharedMemberMinimum = 16 << 10

    private var fd: Int32
    private let ownsDescriptor: Bool
    private let batchBytes: Int
    private let batches: [TarBatch]
    private var active = 0
    private var written = 0
    private let hasher = ShardHasher()
    private let hashing: HashPipeline
    private var finished = false

    /// Creates (or truncates) `path`; bytes leave in writes of about `bufferSize` bytes.
    public init(path: String, options: TarOptions = .reproducible, bufferSize: Int = 1 << 20) throws {
        self.path = path
        self.options = options
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, operation: "create", errno: errno) }
        self.fd = fd
        ownsDescriptor = true
        (batchBytes, batches, hashing) = Self.pipeline(bufferSize: bufferSize)
    }

    /// Streams into an already open descriptor (a pipe, a socket, an open file); `label` names it
    /// in errors. `finish` fsyncs it only when it is a regular file, and closes it only if `closeWhenDone`.
    public init(fileDescriptor: Int32, label: String, closeWhenDone: Bool = false, options: TarOptions = .reproducible,
                bufferSize: Int = 1 << 20) {
        self.path = label
        self.options = options
        self.fd = fileDescriptor
        ownsDescriptor = closeWhenDone
        (batchBytes, batches, hashing) = Self.pipeline(bufferSize: bufferSize)
    }

    /// Batches of `bufferSize` bytes, enough of them (8 MiB or more in flight) that neither thread
    /// waits on the other's short stalls.
    private static func pipeline(bufferSize: Int) -> (Int, [TarBatch], HashPipeline) {
        let size = max(bufferSize, 64 << 10)
        let count = max(4, min(16, (8 << 20) / size))
        return (size, (0..<count).map { _ in TarBatch(capacity: size) }, HashPipeline(batches: count))
    }

    deinit {
        hashing.drain()
        if fd >= 0, ownsDescriptor { close(fd) }
    }

    /// Appends one regular-file member with the given contents; large arrays are written in place.
    public func append(path memberPath: String, bytes: [UInt8]) throws {
        guard bytes.count >= Self.sharedMemberMinimum else { return try bytes.withUnsafeBytes { try append(path: memberPath, contents: $0) } }
        try putHeader(memberPath, size: bytes.count)
        if !batch.hasSegmentRoom { try flush() }
        batch.share(bytes)
        byteCount += bytes.count
        try putPadding(after: bytes.count)
    }

    /// Appends one regular-file member whose contents are a raw buffer (copied).
    public func append(path memberPath: String, contents: UnsafeRawBufferPointer) throws {
        try putHeader(memberPath, size: contents.count)
        try put(contents)
        try putPadding(after: contents.count)
    }

    /// Ends the archive (two zero blocks), writes out the last batch, fsyncs and closes the file.
    /// Returns the archive size and the lower-case hex SHA-256 of its bytes.
    @discardableResult
    public func finish() throws -> (byteCount: Int, sha256: String) {
        guard !finished else { throw ShardError(.tarClosed, "the tar \(path) is already finished") }
        try putZeros(2 * TarHeader.blockSize)
        try flush()
        finished = true
        // The fsync waits for the disk while the hash thread finishes the last batches.
        var status = stat()
        if fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, fsync(fd) != 0 {
            throw FileWriteError(path: path, operation: "fsync", errno: errno)
        }
        hashing.drain()
        if ownsDescriptor, close(fd) != 0 { fd = -1; throw FileWriteError(path: path, operation: "close", errno: errno) }
        fd = -1
        return (byteCount, hasher.finalizeHex())
    }

    /// Closes the file without ending the archive (what a crash leaves behind); for tests and error paths.
    public func abandon() {
        hashing.drain()
        finished = true
        if fd >= 0, ownsDescriptor { close(fd) }
        fd = -1
    }

    private var batch: TarBatch { batches[active] }

    private func putHeader(_ memberPath: String, size: Int) throws {
        guard !finished else { throw ShardError(.tarClosed, "cannot append \(memberPath): the tar \(path) is already finished") }
        let header = try TarHeader.encode(path: memberPath, size: size, options: options)
        try header.withUnsafeBytes { try put($0) }
        memberCount += 1
    }

    private func putPadding(after size: Int) throws {
        let padding = TarHeader.paddedSize(size) - size
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

    /// Hands the batch to the hashing thread, writes it out meanwhile, then moves to the next
    /// batch, waiting until its previous contents were hashed (also when the write fails, so the
    /// count of free batches stays right).
    private func flush() throws {
        let full = batch
        guard full.byteCount > 0 else { return }
        hashing.submit(full, to: hasher)
        active = (active + 1) % batches.count
        defer {
            hashing.acquire()
            batch.reset()
        }
        try full.withIOVectors { try writeAll($0) }
        startWriteback(count: full.byteCount)
    }

    /// Asks the kernel to start writing the bytes just written (Linux sync_file_range, no wait),
    /// so the disk works while the next buffer fills and the final fsync has little left to do.
    private func startWriteback(count: Int) {
        if let start = Writeback.syncFileRange { _ = start(fd, Int64(written), Int64(count), 2 /* SYNC_FILE_RANGE_WRITE */) }
        written += count
    }

    private func writeAll(_ pieces: [iovec]) throws {
        var vectors = pieces
        var first = 0
        while first < vectors.count {
            if vectors[first].iov_len == 0 { first += 1; continue }
            let count = Int32(min(vectors.count - first, 1024))
            let written = vectors.withUnsafeBufferPointer { Glibc.writev(fd, $0.baseAddress! + first, count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileWriteError(path: path, operation: "write", errno: errno)
            }
            var left = written
            while left > 0 {
                let length = vectors[first].iov_len
                if left >= length {
                    left -= length
                    first += 1
                } else {
                    vectors[first].iov_base = vectors[first].iov_base.map { $0 + left }
                    vectors[first].iov_len -= left
                    left = 0
                }
            }
        }
    }
}

/// Runs SHA-256 updates on a serial background queue, one batch at a time and in order, so
/// hashing a shard overlaps writing it (two cores: one writes, one hashes). A semaphore counts
/// the batches that are free (hashed, not being filled): the writer takes one before filling it.
final class HashPipeline: @unchecked Sendable {
    private let queue = DispatchQueue(label: "cn.shards.hash")
    private let free: DispatchSemaphore

    private struct Job: @unchecked Sendable {
        let hasher: ShardHasher
        let batch: TarBatch
    }

    /// A pipeline over `batches` batches, the first of which the writer holds.
    init(batches: Int) { free = DispatchSemaphore(value: batches - 1) }

    /// Queues the hashing of `batch`; the batch counts as free again once it is hashed.
    func submit(_ batch: TarBatch, to hasher: ShardHasher) {
        let job = Job(hasher: hasher, batch: batch)
        queue.async { [free] in
            job.batch.forEachPiece { job.hasher.update($0) }
            free.signal()
        }
    }

    /// Waits until a batch is free for the writer to refill.
    func acquire() { free.wait() }

    /// Waits until every queued batch is hashed.
    func drain() { queue.sync {} }
}

/// Linux's sync_file_range, looked up in the C library at run time (Glibc's Swift module hides it
/// behind _GNU_SOURCE); nil elsewhere, where writeback simply starts at fsync.
enum Writeback {
    typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    private struct Box: @unchecked Sendable { let function: SyncFileRange? }
    private static let box: Box = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return Box(function: nil) }
        return Box(function: unsafeBitCast(symbol, to: SyncFileRange.self))
    }()
    static var syncFileRange: SyncFileRange? { box.function }
}
