import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// A streaming ustar writer (POSIX ustar, pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html): each member is a 512-byte
/// header plus data padded to 512, the archive ends with two zero blocks. The calling thread only
/// lists the archive's pieces (`TarPiece`: headers, members by reference, padding) and hands them
/// in chunks of about `chunkBytes` to two background threads: one copies them into batches that
/// output threads write (`TarBatchFiller`, `TarFileOutput`, one `writev` per batch, no syscall per
/// member), one computes the archive's SHA-256 (`TarHashFeed`), so a shard's index needs no second
/// read and neither the disk nor the hash waits for the other, nor the caller for either (up to
/// `backlogBytes` queued). Members given as arrays of at least `TarBatchFiller.sharedMemberMinimum`
/// bytes are written in place, not copied; on local disk filesystems the file takes direct I/O
/// (`DirectIO`) instead, where every byte is copied once into 4 MiB aligned batches, which skips the
/// kernel's far dearer copy into the page cache.
///
/// The writer only writes where it is told; publishing under a final name (temp, fsync, rename)
/// is the job of `ShardSequenceWriter` / `AtomicFile`.
public final class TarWriter {
    /// The file being written (or the label of a descriptor given to `init(fileDescriptor:)`).
    public let path: String
    /// Header fields fixed for reproducibility.
    public let options: TarOptions
    /// Archive bytes produced so far (written or queued).
    public private(set) var byteCount = 0
    /// The SHA-256 implementation in use ("libcrypto" or "swift").
    public var hashBackend: String { hash.backend }
    /// Number of members appended so far.
    public private(set) var memberCount = 0
    /// Does the file take direct I/O (see `DirectIO`)? Set when it is opened.
    public let usesDirectIO: Bool
    /// Pieces go to the background threads in chunks of about this many bytes.
    static let chunkBytes = 4 << 20
    /// At most this many bytes wait for the fill or the hash thread before the caller blocks: held by
    /// reference, so mostly the caller's own arrays (copied only for `append(path:contents:)`).
    static let backlogBytes = 256 << 20
    /// Output threads under direct I/O: two keep a write in flight while the next is issued; more
    /// contend for the file's lock (ext4 serialises writes that extend a file) and cost CPU for no
    /// speed (scripts/bench/shards with 4 threads: about 0.1 CPU-seconds more per 590 MB here).
    static let directOutputThreads = 2

    private var fd: Int32
    private let ownsDescriptor: Bool
    private let hash = TarHashFeed(slots: TarWriter.backlogBytes / TarWriter.chunkBytes)
    private let filler: TarBatchFiller
    private var pending: [TarPiece] = []
    private var pendingBytes = 0
    private var finished = false

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
        filler = TarBatchFiller(output: TarFileOutput(fd: fd, path: path, direct: usesDirectIO), direct: usesDirectIO,
                                bufferSize: usesDirectIO ? max(bufferSize, 4 << 20) : bufferSize,
                                outputThreads: usesDirectIO ? Self.directOutputThreads : 1, slots: Self.backlogBytes / Self.chunkBytes)
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
        filler = TarBatchFiller(output: TarFileOutput(fd: fileDescriptor, path: label, direct: false), direct: false,
                                bufferSize: bufferSize, outputThreads: 1, slots: Self.backlogBytes / Self.chunkBytes)
    }

    deinit {
        filler.drain()
        hash.drain()
        if fd >= 0, ownsDescriptor { close(fd) }
    }

    /// Appends one regular-file member with the given contents (held by reference until written
    /// and hashed; large arrays are written in place unless the file takes direct I/O).
    public func append(path memberPath: String, bytes: [UInt8]) throws {
        try putHeader(memberPath, size: bytes.count)
        try add(.bytes(bytes))
        try add(.zeros(TarHeader.paddedSize(bytes.count) - bytes.count))
    }

    /// Appends one regular-file member whose contents are a raw buffer (copied).
    public func append(path memberPath: String, contents: UnsafeRawBufferPointer) throws {
        try append(path: memberPath, bytes: Array(contents))
    }

    /// Ends the archive (two zero blocks), writes out the last batch, fsyncs and closes the file.
    /// Returns the archive size and the lower-case hex SHA-256 of its bytes.
    @discardableResult
    public func finish() throws -> (byteCount: Int, sha256: String) {
        guard !finished else { throw ShardError(.tarClosed, "the tar \(path) is already finished") }
        try add(.zeros(2 * TarHeader.blockSize))
        submit()
        finished = true
        filler.finish()
        do {
            try filler.output.check()
        } catch {
            hash.drain()
            throw error
        }
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
        filler.drain()
        hash.drain()
        finished = true
        if fd >= 0, ownsDescriptor { close(fd) }
        fd = -1
    }

    private func putHeader(_ memberPath: String, size: Int) throws {
        guard !finished else { throw ShardError(.tarClosed, "cannot append \(memberPath): the tar \(path) is already finished") }
        try add(.bytes(try TarHeader.encode(path: memberPath, size: size, options: options)))
        memberCount += 1
    }

    /// Lists the next piece; a full chunk goes to the background threads. A write failure of an
    /// earlier batch surfaces here.
    private func add(_ piece: TarPiece) throws {
        guard piece.count > 0 else { return }
        pending.append(piece)
        pendingBytes += piece.count
        byteCount += piece.count
        if pendingBytes >= Self.chunkBytes {
            try filler.output.check()
            submit()
        }
    }

    /// Hands the pending pieces to the fill and hash threads (each waits while its backlog is full).
    private func submit() {
        guard !pending.isEmpty else { return }
        filler.submit(pending)
        hash.submit(pending)
        pending = []
        pendingBytes = 0
    }
}
