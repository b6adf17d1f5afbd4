#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole (small) file, refusing files above `limit` bytes.
func readWholeFile(_ path: String, limit: Int) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
    let size = Int(info.st_size)
    guard size <= limit else { throw DatasetFileError.badFormat(path: path, reason: "file is \(size) bytes, above the \(limit)-byte limit") }
    var bytes = [UInt8](repeating: 0, count: size)
    try preadFully(fd, into: &bytes, at: 0, path: path)
    return bytes
}

/// Fills `bytes` from `offset` of `fd`; throws on error or a short file.
func preadFully(_ fd: Int32, into bytes: inout [UInt8], at offset: Int, path: String) throws {
    var done = 0
    let count = bytes.count
    while done < count {
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
        if n < 0 {
            if errno == EINTR { continue }
            throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if n == 0 { throw DatasetFileError.badFormat(path: path, reason: "file ends early (wanted \(count) bytes at \(offset))") }
        done += n
    }
}
