#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensor

/// A whole file mapped read-only (POSIX `mmap(2)` with `PROT_READ`, `MAP_PRIVATE`): the kernel reads
/// pages on first touch, so a multi-gigabyte checkpoint is never copied into memory as a whole.
/// Immutable after `init`, hence safe to share between threads.
final class MappedFile: @unchecked Sendable {
    /// The file's path, for messages.
    let path: String
    /// The number of bytes mapped (the file size).
    let count: Int
    private let base: UnsafeRawPointer?

    /// Maps `path`; an empty file maps to an empty buffer.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CheckpointError.unreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CheckpointError.unreadable(path, String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw CheckpointError.unreadable(path, "not a regular file") }
        count = Int(info.st_size)
        if count == 0 {
            base = nil
            return
        }
        guard let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw CheckpointError.unreadable(path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// The mapped bytes; valid while this object lives.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Drops the pages wholly inside `range` from this process (`madvise(MADV_DONTNEED)`): they stay
    /// in the page cache and fault back in if read again, so reading tensors one by one keeps the
    /// resident set near one tensor instead of the whole file.
    func release(_ range: Range<Int>) {
        guard let base, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }
}
