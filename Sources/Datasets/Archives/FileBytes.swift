#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Support

/// Reads a whole (small) file, refusing files above `limit` bytes.
public func readWholeFile(_ path: String, limit: Int) throws -> [UInt8] {
    do {
        return try FileReading.readAll(path, limit: limit)
    } catch .tooLarge(let size, let limit) {
        throw DatasetFileError.badFormat(path: path, reason: "file is \(size) bytes, above the \(limit)-byte limit")
    } catch {
        throw DatasetFileError.unreadable(path: path, reason: error.description)
    }
}

/// Fills `bytes` from `offset` of `fd`; throws on error or a short file.
func preadFully(_ fd: Int32, into bytes: inout [UInt8], at offset: Int, path: String) throws {
    do {
        try FileReading.read(fd, into: &bytes, at: offset)
    } catch .endOfFile(let wanted, let at) {
        throw DatasetFileError.badFormat(path: path, reason: "file ends early (wanted \(wanted) bytes at \(at))")
    } catch {
        throw DatasetFileError.unreadable(path: path, reason: error.description)
    }
}
