#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files for the decoders with POSIX calls, refusing files larger than
/// `ImageLimits.maxFileBytes` before reading them and reporting empty files as `empty-file`.
enum FileBytes {
    /// The bytes of the file at `path`.
    static func read(_ path: String, limits: ImageLimits) throws -> [UInt8] {
        let source = ImageError.fileSource(path)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ImageError(.unreadableFile, source: source, detail: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ImageError(.unreadableFile, source: source, detail: "cannot stat: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImageError(.unreadableFile, source: source, detail: "is a folder, not a file")
        }
        let size = Int(info.st_size)
        if size == 0 { throw ImageError(.emptyFile, source: source, detail: "the file is empty (0 bytes)") }
        if size > limits.maxFileBytes {
            throw ImageError(.fileTooLarge, source: source, detail: "the file has \(size) bytes, above the limit of \(limits.maxFileBytes)")
        }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var offset = 0
            while offset < size {
                let n = Glibc.read(fd, buffer.baseAddress! + offset, size - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                offset += n
            }
            count = offset
        }
        if failure != 0 {
            throw ImageError(.unreadableFile, source: source, detail: "read failed: \(String(cString: strerror(failure)))")
        }
        if bytes.isEmpty { throw ImageError(.emptyFile, source: source, detail: "the file is empty (0 bytes)") }
        return bytes
    }
}
