import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// A streaming ustar writer (POSIX ustar, pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html): each member is a 512-byte
/// header plus data padded to 512, the archive ends with two zero blocks. Bytes go through a
/// pair of large buffers and leave in few big `write` calls (no syscall per member), and the SHA-256 of
/// the archive is computed on the way (on a second thread, overlapping the writes), so a shard's
/// index needs no second read.
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

    private var fd: Int32
    private let ownsDescriptor: Bool
    private var buffers: [UnsafeMutableRawBufferPointer]
    private var active = 0
    private var used = 0
    private var written = 0
    private let hasher = ShardHasher()
    private let hashing = HashPipeline()
    private var finished = false

    /// Creates (or truncates) `path` and prepares a write buffer of `bufferSize` bytes.
    public init(path: String, options: TarOptions = .reproducible, bufferSize: Int = 4 << 20) throws {
        self.path = path
        self.options = options
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, operation: "create", errno: errno) }
        self.fd = fd
        ownsDescriptor = true
        let size = max(bufferSize, 64 << 10)
        buffers = (0..<2).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64) }
    }

    /// Streams into an already open descriptor (a pipe, a socket, an open file); `label` names it
    /// in errors. `finish` fsyncs it only when it is a regular file, and closes it only if `closeWhenDone`.
    public init(fileDescriptor: Int32, label: String, closeWhenDone: Bool = false, options: TarOptions = .reproducible,
                bufferSize: Int = 4 << 20) {
        self.path = label
        self.options = options
        self.fd = fileDescriptor
        ownsDescriptor = closeWhenDone
        let size = max(bufferSize, 64 << 10)
        buffers = (0..<2).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64) }
    }

    deinit {
        hashing.wait()
        if fd >= 0, ownsDescriptor { close(fd) }
        for buffer in buffers { buffer.deallocate() }
    }

    /// Appends one regular-file member with the given contents.
    public func append(path memberPath: String, bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append(path: memberPath, contents: $0) }
    }

    /// Appends one regular-file member whose contents are a raw buffer.
    public func append(path memberPath: String, contents: UnsafeRawBufferPointer) throws {
        guard !finished else { throw ShardError(.tarClosed, "cannot append \(memberPath): the tar \(path) is already finished") }
        let header = try TarHeader.encode(path: memberPath, size: contents.count, options: options)
        try header.withUnsafeBytes { try put($0) }
        try put(contents)
        let padding = TarHeader.paddedSize(contents.count) - contents.count
        if padding > 0 { try putZeros(padding) }
        memberCount += 1
    }

    /// Ends the archive (two zero blocks), writes out the buffer, fsyncs and closes the file.
    /// Returns the archive size and the lower-case hex SHA-256 of its bytes.
    @discardableResult
    public func finish() throws -> (byteCount: Int, sha256: String) {
        guard !finished else { throw ShardError(.tarClosed, "the tar \(path) is already finished") }
        try putZeros(2 * TarHeader.blockSize)
        try flush()
        hashing.wait()
        finished = true
        var status = stat()
        if fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, fsync(fd) != 0 {
            throw FileWriteError(path: path, operation: "fsync", errno: errno)
        }
        if ownsDescriptor, close(fd) != 0 { fd = -1; throw FileWriteError(path: path, operation: "close", errno: errno) }
        fd = -1
        return (byteCount, hasher.finalizeHex())
    }

    /// Closes the file without ending the archive (what a crash leaves behind); for tests and error paths.
    public func abandon() {
        hashing.wait()
        finished = true
        if fd >= 0, ownsDescriptor { close(fd) }
        fd = -1
    }

    private var buffer: UnsafeMutableRawBufferPointer { buffers[active] }

    private func put(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if used == buffer.count { try flush() }
            let n = min(bytes.count - offset, buffer.count - used)
            (buffer.baseAddress! + used).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            used += n
            offset += n
        }
        byteCount += bytes.count
    }

    private func putZeros(_ count: Int) throws {
        if count > buffer.count - used { try flush() }
        (buffer.baseAddress! + used).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        used += count
        byteCount += count
    }

    /// Hands the full buffer to the hashing thread, writes it out meanwhile, then switches to the
    /// other buffer (whose hashing finished before this one's began, so it is free to refill).
    private func flush() throws {
        guard used > 0 else { return }
        let pending = UnsafeRawBufferPointer(start: buffer.baseAddress, count: used)
        hashing.submit(hasher, pending)
        try writeAll(pending)
        startWriteback(count: used)
        active = 1 - active
        used = 0
    }

    /// Asks the kernel to start writing the bytes just written (Linux sync_file_range, no wait),
    /// so the disk works while the next buffer fills and the final fsync has little left to do.
    private func startWriteback(count: Int) {
        if let start = Writeback.syncFileRange { _ = start(fd, Int64(written), Int64(count), 2 /* SYNC_FILE_RANGE_WRITE */) }
        written += count
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileWriteError(path: path, operation: "write", errno: errno)
            }
            offset += written
        }
    }
}

/// Runs SHA-256 updates on a serial background queue, one buffer at a time, so hashing a shard
/// overlaps writing it (two cores: one writes, one hashes). `submit` first waits for the previous
/// update, which keeps the updates in order and tells the writer the other buffer is free again.
final class HashPipeline: @unchecked Sendable {
    private let queue = DispatchQueue(label: "cn.shards.hash")
    private let group = DispatchGroup()

    private struct Job: @unchecked Sendable {
        let hasher: ShardHasher
        let bytes: UnsafeRawBufferPointer
    }

    func submit(_ hasher: ShardHasher, _ bytes: UnsafeRawBufferPointer) {
        group.wait()
        let job = Job(hasher: hasher, bytes: bytes)
        queue.async(group: group) { job.hasher.update(job.bytes) }
    }

    func wait() { group.wait() }
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
