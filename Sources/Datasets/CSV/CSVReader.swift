#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming RFC 4180 CSV reader over a file read in large chunks, in bounded memory.
///
/// Follows RFC 4180: fields separated by commas, records by CRLF or LF (a bare CR is also
/// accepted), fields optionally enclosed in double quotes, a quote inside a quoted field written
/// twice, line breaks allowed inside quoted fields. A UTF-8 byte-order mark at the start is
/// skipped. Blank lines are skipped. Like Python's `csv` module, a stray quote inside an unquoted
/// field is kept as a literal character.
///
/// One bad row never sinks the file. A record longer than `maximumRecordBytes` (1 MiB by
/// default; the longest real Open Images row is under 1 KB) is reported as malformed without
/// being read into memory whole: an over-long line is skipped to its end in chunk-sized reads.
/// A structurally broken record that spans several lines (an unterminated quote swallowing the
/// lines after it, up to the end of the file or the limit) is reported on its first line and
/// reading resynchronises at the next line, so every later row is still read; callers whose
/// schema rejects a multi-line record can do the same with `resynchronizeAfterFirstLine()`.
///
/// The current record's fields are byte ranges of the read buffer: no `String` is made unless
/// `string(_:)` is called, so numeric columns and keys can be read without allocating. A field's
/// bytes stay valid only until the next call to `next()`. Memory is the chunk size plus the
/// longest record. Not thread-safe: one reader per thread.
public final class CSVReader {
    /// The file being read (for reports).
    public let path: String
    /// The 1-based physical line on which the current record starts.
    public private(set) var lineNumber = 0
    /// Set when the current record is structurally broken (unterminated quote, text after a
    /// closing quote); its fields are then whatever could be read.
    public private(set) var structuralProblem: String?
    /// The number of fields of the current record.
    public var fieldCount: Int { cursor.fieldCount }

    private let fd: Int32
    // All hot state sits in one struct copied in and out once per record: class properties
    // touched field by field would pay a dynamic exclusivity check on every access.
    private var cursor: Cursor
    private var nextLine = 1
    private var recordStart = 0
    private var scratch: [UInt8] = []
    private let maximumRecordBytes: Int

    /// The default cap on one record's bytes (1 MiB).
    public static let defaultMaximumRecordBytes = 1 << 20

    /// The number of physical lines the current record spans.
    public private(set) var recordLines = 0

    /// Opens `path` for reading in chunks of `chunkSize` bytes; a record longer than
    /// `maximumRecordBytes` is reported as malformed (`structuralProblem`) and skipped.
    /// With `byteRange`, only those bytes are read (for parallel readers; the range must start
    /// at a record boundary, and line numbers then count from the range's start).
    public init(path: String, byteRange: Range<Int>? = nil, chunkSize: Int = 4 << 20,
                maximumRecordBytes: Int = CSVReader.defaultMaximumRecordBytes) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        self.path = path
        self.maximumRecordBytes = max(maximumRecordBytes, 1)
        cursor = Cursor(capacity: max(chunkSize, 1))
        if let byteRange {
            guard lseek(fd, off_t(byteRange.lowerBound), SEEK_SET) >= 0 else {
                close(fd)
                throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            cursor.remaining = byteRange.count
        }
        do {
            while cursor.end < 3 && !cursor.endOfFile {
                try cursor.fill(fd: fd, path: path, line: 1, limit: maximumRecordBytes)
            }
        } catch {
            close(fd)
            cursor.deallocate()
            throw error
        }
        let b = cursor.buffer
        if (byteRange?.lowerBound ?? 0) == 0, cursor.end >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { cursor.start = 3 }
    }

    /// Physical lines consumed so far (all of them once `next()` returned false).
    public var linesRead: Int { nextLine - 1 }

    /// Whether any record so far had a quoted field (a quoted field may hold line breaks, so a
    /// file split at line starts is only safe to read in parallel when none has).
    public var sawQuotedField: Bool { cursor.sawQuote }

    deinit {
        close(fd)
        cursor.deallocate()
    }

    /// Advances to the next non-blank record; false at the end of the file. Throws only when the
    /// file cannot be read.
    public func next() throws -> Bool {
        var c = cursor
        defer { cursor = c }
        while true {
            switch c.parseRecord() {
            case .needMore:
                if c.end - c.start >= maximumRecordBytes {
                    try refuseOverlong(&c)
                    return true
                }
                try c.fill(fd: fd, path: path, line: nextLine, limit: maximumRecordBytes)
            case .endOfFile:
                return false
            case .record(var after, var lines, var problem):
                if after - c.start > maximumRecordBytes { problem = "record is longer than \(maximumRecordBytes) bytes" }
                if problem != nil, lines > 1, let lineEnd = c.firstLineEnd(from: c.start, to: after) {
                    // A broken record over several lines: blame its first line, read on from the next.
                    after = lineEnd
                    lines = 1
                    c.fieldCount = 0
                }
                lineNumber = nextLine
                nextLine += lines
                recordLines = lines
                recordStart = c.start
                c.start = after
                structuralProblem = problem
                if c.fieldCount == 1, c.bounds[0] == c.bounds[1], !c.escaped[0], problem == nil { continue }
                return true
            }
        }
    }

    /// Re-reads from the line after the current record's first line, when the record spans several
    /// lines and the caller found it malformed (a stray quote that closed lines later). Call it
    /// before the next `next()`; it does nothing for a one-line record.
    public func resynchronizeAfterFirstLine() {
        guard recordLines > 1, let lineEnd = cursor.firstLineEnd(from: recordStart, to: cursor.start) else { return }
        cursor.start = lineEnd
        nextLine = lineNumber + 1
        recordLines = 1
    }

    /// The current record's problem in a file whose records never span lines (every Open Images
    /// CSV): its structural problem, or, when a quoted field runs over several lines (a stray
    /// quote closed lines later), that, after moving reading back to the next line.
    public func singleLineProblem() -> String? {
        if let structuralProblem { return structuralProblem }
        guard recordLines > 1 else { return nil }
        let lines = recordLines
        resynchronizeAfterFirstLine()
        return "a quoted field runs over \(lines) lines (stray or unterminated quote)"
    }

    /// Reports a record that does not fit in `maximumRecordBytes` as malformed and moves past it:
    /// to the next line when the buffered part holds a line break (a quoted field that runs on),
    /// else past the end of the over-long line, read and dropped chunk by chunk.
    private func refuseOverlong(_ c: inout Cursor) throws {
        lineNumber = nextLine
        nextLine += 1
        recordLines = 1
        c.fieldCount = 0
        if let lineEnd = c.firstLineEnd(from: c.start, to: c.end) {
            c.start = lineEnd
            structuralProblem = "a quoted field runs past \(maximumRecordBytes) bytes (unterminated quote?); reading resumes at the next line"
            return
        }
        structuralProblem = "line is longer than \(maximumRecordBytes) bytes; skipped"
        while true {
            c.start = c.end
            if c.endOfFile { return }
            try c.fill(fd: fd, path: path, line: lineNumber, limit: maximumRecordBytes)
            if let lineEnd = c.firstLineEnd(from: c.start, to: c.end) {
                c.start = lineEnd
                return
            }
        }
    }

    // MARK: field access

    /// Calls `body` with the bytes of field `index` (unquoted and unescaped), valid only inside `body`.
    @inline(__always)
    public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let c = cursor
        precondition(index < c.fieldCount, "field index out of range")
        let lower = c.bounds[2 * index], upper = c.bounds[2 * index + 1]
        if !c.escaped[index] {
            return try body(UnsafeBufferPointer(start: c.buffer + lower, count: upper - lower))
        }
        scratch.removeAll(keepingCapacity: true)
        var i = lower
        while i < upper {
            scratch.append(c.buffer[i])
            i += c.buffer[i] == 0x22 ? 2 : 1
        }
        return try scratch.withUnsafeBufferPointer { try body($0) }
    }

    /// The byte length of field `index` as stored (before unescaping).
    @inline(__always)
    public func rawLength(_ index: Int) -> Int {
        let c = cursor
        return c.bounds[2 * index + 1] - c.bounds[2 * index]
    }

    /// True when field `index` is empty.
    @inline(__always)
    public func isEmpty(_ index: Int) -> Bool { rawLength(index) == 0 }

    /// Field `index` as a String (allocates for fields longer than 15 bytes).
    public func string(_ index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Field `index` as a Double, nil when empty or not a number (see `FastNumber`).
    @inline(__always)
    public func double(_ index: Int) -> Double? {
        withField(index) { FastNumber.double($0) }
    }

    /// Field `index` as an Int, nil when empty or not an integer.
    @inline(__always)
    public func int(_ index: Int) -> Int? {
        withField(index) { FastNumber.int($0) }
    }

    /// All fields of the current record as Strings (for headers and diagnostics).
    public func strings() -> [String] { (0..<fieldCount).map(string) }
}

/// The read buffer and the current record's field bounds, as one value.
private struct Cursor {
    var buffer: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var start = 0
    var end = 0
    var endOfFile = false
    var remaining = Int.max                  // bytes left in the byte range
    var sawQuote = false
    var bounds: UnsafeMutablePointer<Int>    // 2 per field: start, end (offsets into buffer)
    var escaped: UnsafeMutablePointer<Bool>  // field holds doubled quotes to unescape
    var fieldCapacity = 64
    var fieldCount = 0

    init(capacity: Int) {
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
        bounds = .allocate(capacity: 2 * 64)
        escaped = .allocate(capacity: 64)
    }

    func deallocate() {
        buffer.deallocate()
        bounds.deallocate()
        escaped.deallocate()
    }

    enum Step {
        case needMore
        case endOfFile
        case record(after: Int, lines: Int, problem: String?)
    }

    /// The offset just after the first line feed in `lower..<upper`, nil when there is none.
    func firstLineEnd(from lower: Int, to upper: Int) -> Int? {
        guard upper > lower, let hit = memchr(buffer + lower, 0x0A, upper - lower) else { return nil }
        return UnsafeMutableRawPointer(hit) - UnsafeMutableRawPointer(buffer) + 1
    }

    @inline(__always)
    mutating func addField(_ lower: Int, _ upper: Int, _ hasEscapes: Bool) {
        if fieldCount == fieldCapacity { growFields() }
        bounds[2 * fieldCount] = lower
        bounds[2 * fieldCount + 1] = upper
        escaped[fieldCount] = hasEscapes
        fieldCount += 1
    }

    mutating func growFields() {
        let newCapacity = fieldCapacity * 2
        let newBounds = UnsafeMutablePointer<Int>.allocate(capacity: 2 * newCapacity)
        newBounds.update(from: bounds, count: 2 * fieldCapacity)
        bounds.deallocate()
        bounds = newBounds
        let newEscaped = UnsafeMutablePointer<Bool>.allocate(capacity: newCapacity)
        newEscaped.update(from: escaped, count: fieldCapacity)
        escaped.deallocate()
        escaped = newEscaped
        fieldCapacity = newCapacity
    }

    /// Parses one record starting at `start` without changing any state but the field list.
    mutating func parseRecord() -> Step {
        let b = buffer
        let end = self.end
        let eof = endOfFile
        var i = start
        var lines = 0
        fieldCount = 0
        if i == end { return eof ? .endOfFile : .needMore }
        while true {
            if i == end {
                // A record whose last field is empty and unterminated at end of file ("a,").
                if !eof { return .needMore }
                addField(i, i, false)
                return .record(after: i, lines: lines + 1, problem: nil)
            }
            if b[i] == 0x22 {
                sawQuote = true
                i += 1
                let lower = i
                var hasEscapes = false
                while true {
                    if i == end {
                        if !eof { return .needMore }
                        addField(lower, i, hasEscapes)
                        return .record(after: i, lines: lines + 1, problem: "unterminated quoted field")
                    }
                    let c = b[i]
                    if c == 0x22 {
                        if i + 1 == end && !eof { return .needMore }
                        if i + 1 < end && b[i + 1] == 0x22 { hasEscapes = true; i += 2; continue }
                        break
                    }
                    if c == 0x0A { lines += 1 }
                    i += 1
                }
                addField(lower, i, hasEscapes)
                i += 1
                if i == end {
                    if !eof { return .needMore }
                    return .record(after: i, lines: lines + 1, problem: nil)
                }
                let c = b[i]
                if c == 0x2C { i += 1; continue }
                if c == 0x0A { return .record(after: i + 1, lines: lines + 1, problem: nil) }
                if c == 0x0D {
                    if i + 1 == end && !eof { return .needMore }
                    let after = (i + 1 < end && b[i + 1] == 0x0A) ? i + 2 : i + 1
                    return .record(after: after, lines: lines + 1, problem: nil)
                }
                // Text after a closing quote: skip to the end of the line.
                while i < end && b[i] != 0x0A { i += 1 }
                if i == end && !eof { return .needMore }
                return .record(after: min(i + 1, end), lines: lines + 1, problem: "text after a closing quote")
            } else {
                let lower = i
                var c: UInt8 = 0
                while i < end {
                    c = b[i]
                    if c == 0x2C || c == 0x0A || c == 0x0D { break }
                    i += 1
                }
                if i == end {
                    if !eof { return .needMore }
                    addField(lower, i, false)
                    return .record(after: i, lines: lines + 1, problem: nil)
                }
                addField(lower, i, false)
                if c == 0x2C { i += 1; continue }
                if c == 0x0A { return .record(after: i + 1, lines: lines + 1, problem: nil) }
                if i + 1 == end && !eof { return .needMore }
                let after = (i + 1 < end && b[i + 1] == 0x0A) ? i + 2 : i + 1
                return .record(after: after, lines: lines + 1, problem: nil)
            }
        }
    }

    /// Moves the unparsed tail to the front, grows the buffer if one record fills it, reads more.
    mutating func fill(fd: Int32, path: String, line: Int, limit: Int) throws {
        if endOfFile { return }
        if start > 0 {
            let tail = end - start
            if tail > 0 { buffer.update(from: buffer + start, count: tail) }
            end = tail
            start = 0
        }
        if end == capacity {
            guard capacity < limit else { throw DatasetFileError.recordTooLong(path: path, line: line, limit: limit) }
            let newCapacity = min(capacity * 2, limit)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = grown
            capacity = newCapacity
        }
        while true {
            let count = remaining == 0 ? 0 : read(fd, buffer + end, min(capacity - end, remaining))
            if count < 0 {
                if errno == EINTR { continue }
                throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { endOfFile = true }
            if remaining != Int.max { remaining -= count }
            end += count
            return
        }
    }
}
