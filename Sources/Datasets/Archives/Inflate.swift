import CGzip

/// zlib inflation of raw deflate streams (zip entries, method 8) and gzip files (Objaverse's
/// `*.json.gz`), with a hard cap on the output size against decompression bombs.
public enum Inflate {
    /// The stream framing.
    public enum Framing: Sendable {
        /// Raw deflate (RFC 1951), as inside zip entries.
        case raw
        /// gzip (RFC 1952), possibly several members concatenated.
        case gzip
    }

    /// Inflates `input`, refusing output larger than `limit` bytes; `expectedSize` presizes the output.
    public static func inflate(_ input: UnsafeRawBufferPointer, framing: Framing, limit: Int,
                               expectedSize: Int? = nil) throws(InflateError) -> [UInt8] {
        var stream = z_stream()
        let windowBits: Int32 = framing == .raw ? -15 : 15 + 16
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw InflateError("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(64, min(limit, expectedSize ?? input.count * 4)))
        var produced = 0
        var consumed = 0
        while true {
            if produced == output.count {
                guard output.count < limit else { throw InflateError("inflated data exceeds the \(limit)-byte limit") }
                output.append(contentsOf: repeatElement(0, count: min(output.count, limit - output.count)))
            }
            let status: Int32 = output.withUnsafeMutableBytes { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
                    .map { $0 + consumed }
                stream.avail_in = uInt(input.count - consumed)
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
                stream.avail_out = uInt(out.count - produced)
                let status = CGzip.inflate(&stream, Z_NO_FLUSH)
                consumed = input.count - Int(stream.avail_in)
                produced = out.count - Int(stream.avail_out)
                return status
            }
            switch status {
            case Z_STREAM_END:
                // gzip files may hold several members: go on while input remains.
                if framing == .gzip && consumed < input.count && input[consumed] == 0x1F {
                    guard inflateReset(&stream) == Z_OK else { throw InflateError("zlib reset failed") }
                    continue
                }
                output.removeSubrange(produced...)
                return output
            case Z_OK:
                if stream.avail_in == 0 && produced < output.count { throw InflateError("compressed data is truncated") }
            case Z_BUF_ERROR:
                if stream.avail_in == 0 { throw InflateError("compressed data is truncated") }
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw InflateError("corrupt compressed data: \(reason)")
            }
        }
    }

    /// Reads a whole gzip file (for metadata files; `limit` bounds the inflated size).
    public static func gunzipFile(_ path: String, limit: Int = 1 << 30) throws -> [UInt8] {
        let compressed = try readWholeFile(path, limit: limit)
        let result = compressed.withUnsafeBytes { buffer in
            Result { () throws(InflateError) in try inflate(buffer, framing: .gzip, limit: limit) }
        }
        switch result {
        case .success(let bytes): return bytes
        case .failure(let error): throw DatasetFileError.badFormat(path: path, reason: error.reason)
        }
    }
}

/// Why inflation failed.
public struct InflateError: Error, Sendable, Equatable {
    /// The reason, one line.
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}
