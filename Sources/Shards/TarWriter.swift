import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// A streaming ustar writer (POSIX ustar as in reference/formats.md): each member is a 512-byte
/// header plus data padded to 512, the archive ends with two zero blocks. Bytes go through one
/// large buffer and leave in few big `write` calls (no syscall per member), and the SHA-256 of
/// the archive is computed on the way, so a shard's index needs no second read.
///
/// The writer only writes where it is told; publishing under a final name (temp, fsync, rename)
/// is the job of `ShardSequenceWriter` / `AtomicFile`.
public final class TarWriter {
    /// The file being written.
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
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private let hasher = ShardHasher()
    private var finished = false

    /// Creates (or truncates) `path` and prepares a write buffer of `bufferSize` bytes.
    public init(path: String, options: TarOptions = .reproducible, bufferSize: Int = 4 << 20) throws {
        self.path = path
        self.options = options
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, operation: "create", errno: errno) }
        self.fd = fd
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, 64 << 10), alignment: 64)
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    /// Appends one regular-file member with the given contents.
    public func append(path memberPath: String, bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append(path: memberPath, contents: $0) }
    }

    /// Appends one regular-file member whose contents are a raw buffer.
    public func append(path memberPath: String, contents: UnsafeRawBufferPointer) throws {
        guard !finished else { throw ShardError(kind: "tar-closed", "cannot append \(memberPath): the tar \(path) is already finished") }
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
        guard !finished else { throw ShardError(kind: "tar-closed", "the tar \(path) is already finished") }
        try putZeros(2 * TarHeader.blockSize)
        try flush()
        finished = true
        if fsync(fd) != 0 { throw FileWriteError(path: path, operation: "fsync", errno: errno) }
        if close(fd) != 0 { fd = -1; throw FileWriteError(path: path, operation: "close", errno: errno) }
        fd = -1
        return (byteCount, hasher.finalizeHex())
    }

    /// Closes the file without ending the archive (what a crash leaves behind); for tests and error paths.
    public func abandon() {
        finished = true
        if fd >= 0 { close(fd); fd = -1 }
    }

    private func put(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        if bytes.count > buffer.count - used {
            try flush()
            if bytes.count >= buffer.count / 2 {
                hasher.update(bytes)
                try writeAll(bytes)
                byteCount += bytes.count
                return
            }
        }
        (buffer.baseAddress! + used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        used += bytes.count
        byteCount += bytes.count
    }

    private func putZeros(_ count: Int) throws {
        if count > buffer.count - used { try flush() }
        (buffer.baseAddress! + used).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        used += count
        byteCount += count
    }

    private func flush() throws {
        guard used > 0 else { return }
        let pending = UnsafeRawBufferPointer(start: buffer.baseAddress, count: used)
        hasher.update(pending)
        try writeAll(pending)
        used = 0
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
