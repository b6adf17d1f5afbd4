#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file and positioned reads with POSIX calls, refusing a file above a size limit before
/// reading it (decompression-bomb guard). Modules map `FileReadError` to their own error kinds.
public enum FileReading {
    /// The bytes of the file at `path`, at most `limit` of them.
    public static func readAll(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotOpen(errno: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .isFolder }
        let size = Int(info.st_size)
        if size > limit { throw .tooLarge(size: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size)
        try read(fd, into: &bytes, at: 0)
        return bytes
    }

    /// Fills `bytes` from `offset` of the open file `fd`.
    public static func read(_ fd: Int32, into bytes: inout [UInt8], at offset: Int) throws(FileReadError) {
        var done = 0
        let count = bytes.count
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .readFailed(errno: errno)
            }
            if n == 0 { throw .endOfFile(wanted: count, at: offset) }
            done += n
        }
    }
}

/// Why a file could not be read.
public enum FileReadError: Error, Equatable, CustomStringConvertible {
    /// open or fstat failed.
    case cannotOpen(errno: Int32)
    /// The path is a folder.
    case isFolder
    /// The file is larger than the limit.
    case tooLarge(size: Int, limit: Int)
    /// read failed.
    case readFailed(errno: Int32)
    /// The file ended before the requested bytes.
    case endOfFile(wanted: Int, at: Int)

    public var description: String {
        switch self {
        case .cannotOpen(let code): "cannot open: \(String(cString: strerror(code)))"
        case .isFolder: "is a folder, not a file"
        case .tooLarge(let size, let limit): "the file has \(size) bytes, above the limit of \(limit)"
        case .readFailed(let code): "read failed: \(String(cString: strerror(code)))"
        case .endOfFile(let wanted, let offset): "file ends early (wanted \(wanted) bytes at \(offset))"
        }
    }
}
