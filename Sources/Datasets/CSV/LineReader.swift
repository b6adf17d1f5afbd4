#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming reader of newline-separated records (JSON Lines), chunked like `CSVReader`, in
/// memory bounded by the chunk size plus `maximumLineBytes` (16 MiB by default). A trailing CR is
/// dropped; blank lines are skipped. A longer line is never held whole: it is read past in
/// chunks, logged in `overlong`, and reading goes on at the next line.
public final class LineReader {
    /// The file being read.
    public let path: String
    /// The 1-based number of the current line.
    public private(set) var lineNumber = 0
    private let fd: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var endOfFile = false
    private let maximumLineBytes: Int
    private var discarding = false
    /// Lines skipped for being longer than the limit.
    public private(set) var overlong = MalformedRowLog()

    /// Opens `path`; a line longer than `maximumLineBytes` is skipped and logged in `overlong`.
    public init(path: String, chunkSize: Int = 4 << 20, maximumLineBytes: Int = 16 << 20) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        self.path = path
        self.maximumLineBytes = maximumLineBytes
        buffer = [UInt8](repeating: 0, count: max(chunkSize, 1))
    }

    deinit { close(fd) }

    /// Calls `body` with the next non-blank line's bytes (valid inside `body`); false at the end.
    public func next(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        while true {
            let lower = start, upper = end
            let found: Int? = buffer.withUnsafeBytes { (b: UnsafeRawBufferPointer) -> Int? in
                guard upper > lower, let base = b.baseAddress else { return nil }
                guard let hit = memchr(base + lower, 0x0A, upper - lower) else { return nil }
                return UnsafeRawPointer(hit) - base
            }
            if discarding {
                // Dropping the rest of an over-long line: no line break yet means drop it all.
                guard let newline = found else {
                    start = end
                    if endOfFile { discarding = false; return false }
                    try fill()
                    continue
                }
                discarding = false
                start = newline + 1
                continue
            }
            if let newline = found {
                lineNumber += 1
                var upper = newline
                if upper > start && buffer[upper - 1] == 0x0D { upper -= 1 }
                let lower = start
                start = newline + 1
                if upper == lower { continue }
                try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[lower..<upper])) }
                return true
            }
            if endOfFile {
                guard start < end else { return false }
                lineNumber += 1
                let lower = start
                var upper = end
                if buffer[upper - 1] == 0x0D { upper -= 1 }
                start = end
                if upper == lower { return false }
                try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[lower..<upper])) }
                return true
            }
            try fill()
        }
    }

    private func fill() throws {
        if start > 0 {
            buffer.withUnsafeMutableBufferPointer { b in
                let remaining = end - start
                if remaining > 0 { b.baseAddress!.update(from: b.baseAddress! + start, count: remaining) }
            }
            end -= start
            start = 0
        }
        if end == buffer.count {
            guard buffer.count < maximumLineBytes else {
                lineNumber += 1
                overlong.record(MalformedRow(file: path, line: lineNumber, reason: "line is longer than \(maximumLineBytes) bytes; skipped"))
                discarding = true
                start = 0
                end = 0
                return
            }
            buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, maximumLineBytes - buffer.count)))
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + end, $0.count - end) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { endOfFile = true }
            end += count
            return
        }
    }
}
