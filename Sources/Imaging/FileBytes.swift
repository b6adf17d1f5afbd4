#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Support

/// Reads whole files for the decoders with POSIX calls, refusing files larger than
/// `ImageLimits.maxFileBytes` before reading them and reporting empty files as `empty-file`.
enum FileBytes {
    /// The bytes of the file at `path`.
    static func read(_ path: String, limits: ImageLimits) throws -> [UInt8] {
        let source = ImageError.fileSource(path)
        let bytes: [UInt8]
        do {
            bytes = try FileReading.readAll(path, limit: limits.maxFileBytes)
        } catch .tooLarge(let size, let limit) {
            throw ImageError(.fileTooLarge, source: source, detail: "the file has \(size) bytes, above the limit of \(limit)")
        } catch {
            throw ImageError(.unreadableFile, source: source, detail: error.description)
        }
        if bytes.isEmpty { throw ImageError(.emptyFile, source: source, detail: "the file is empty (0 bytes)") }
        return bytes
    }
}
