import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// The file side of `TarWriter`: writes batches to a descriptor, one `writev` each, on the
/// writer's output threads. Buffered: one thread, in order, with the kernel's writeback started
/// after each batch. Direct I/O (`DirectIO`): several threads, each batch written at its own
/// offset (`pwritev`), so several writes are in flight at the device at once. The first failure is
/// kept and reported by `check`, and later batches are skipped.
final class TarFileOutput: @unchecked Sendable {
    /// The descriptor written to.
    let fd: Int32
    private let path: String
    private var directFlag: Bool
    /// Buffered from the start: one output thread, writing in order at the file position.
    private let sequential: Bool
    private var written = 0
    private var failure: FileWriteError?
    private let lock = NSLock()

    /// Writes to `fd`; `direct` says O_DIRECT is set on it. `path` names the file in errors.
    init(fd: Int32, path: String, direct: Bool) {
        self.fd = fd
        self.path = path
        self.directFlag = direct
        sequential = !direct
    }

    /// Is O_DIRECT still set on the descriptor (it is cleared for the last, unaligned batch)?
    var direct: Bool {
        get { lock.withLock { directFlag } }
        set { lock.withLock { directFlag = newValue } }
    }

    /// Writes the batch at `offset` (direct I/O) or after the previous one (buffered: called on
    /// one output thread only).
    func write(_ batch: TarBatch, at offset: Int) {
        guard error == nil else { return }
        do {
            try batch.withIOVectors { try writeAll($0, byteCount: batch.byteCount, offset: offset) }
            startWriteback(count: batch.byteCount)
        } catch {
            let failed = error as? FileWriteError ?? FileWriteError(path: path, operation: "write", errno: EIO)
            lock.withLock { if failure == nil { failure = failed } }
        }
    }

    /// Throws the first write failure, if any.
    func check() throws {
        if let error { throw error }
    }

    private var error: FileWriteError? { lock.withLock { failure } }

    /// Asks the kernel to start writing the bytes just written (Linux sync_file_range, no wait),
    /// so the disk works while the next batches fill and the final fsync has little left to do.
    private func startWriteback(count: Int) {
        guard sequential else { return }
        if let start = Writeback.syncFileRange { _ = start(fd, Int64(written), Int64(count), 2 /* SYNC_FILE_RANGE_WRITE */) }
        written += count
    }

    /// Writes the pieces in order. A direct write takes whole aligned blocks only: the archive's
    /// last, shorter batch, or a write the filesystem refuses (EINVAL), turns direct I/O off and
    /// goes through the page cache.
    private func writeAll(_ pieces: [iovec], byteCount: Int, offset: Int) throws {
        let positioned = !sequential
        if direct, byteCount % DirectIO.alignment != 0 {
            DirectIO.disable(fd)
            direct = false
        }
        var vectors = pieces
        var first = 0, position = offset
        while first < vectors.count {
            if vectors[first].iov_len == 0 { first += 1; continue }
            let count = Int32(min(vectors.count - first, 1024))
            let written = vectors.withUnsafeBufferPointer { vectors in
                positioned ? Glibc.pwritev(fd, vectors.baseAddress! + first, count, off_t(position)) : Glibc.writev(fd, vectors.baseAddress! + first, count)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL, direct {
                    DirectIO.disable(fd)
                    direct = false
                    continue
                }
                throw FileWriteError(path: path, operation: "write", errno: errno)
            }
            var left = written
            position += written
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
