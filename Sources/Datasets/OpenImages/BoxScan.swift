import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pass 2 of `MaskBoxJoin`: stream a box CSV and record, for every mask, the flags of the box
/// row that matches it. Large files are split at line starts into one byte range per core and
/// scanned in parallel; because a quoted field could hold a line break, a scan that meets any
/// quoted field in a split file is redone on one thread (the real box files have no quotes).
enum BoxScan {
    /// What one byte range produced.
    struct Part: Sendable {
        var flags: [UInt16]
        var rows = 0
        var probed = 0
        var duplicates = 0
        var lines = 0
        var sawQuote = false
        var malformed: MalformedRowLog
    }

    /// The totals of a whole file.
    struct Outcome: Sendable {
        var parts: [Part]
        var malformed: MalformedRowLog
        var rows: Int { parts.reduce(0) { $0 + $1.rows } }
        var probed: Int { parts.reduce(0) { $0 + $1.probed } }
        var duplicates: Int { parts.reduce(0) { $0 + $1.duplicates } }
    }

    /// Scans `path` against `index` with up to `threads` threads.
    static func run(path: String, index: MaskIndex, tolerance: Double, chunkSize: Int, malformedCap: Int,
                    threads: Int, parallelMinimumBytes: Int) throws -> Outcome {
        let header = try CSVReader(path: path, chunkSize: 1 << 16)
        let schema = try BoxSchema(header: try CSVHeader.read(from: header), path: path)
        let ranges = try split(path: path, parts: threads, minimumBytes: parallelMinimumBytes)
        var parts = try scan(path: path, ranges: ranges, schema: schema, index: index, tolerance: tolerance,
                             chunkSize: chunkSize, malformedCap: malformedCap)
        if parts.count > 1 && parts.contains(where: \.sawQuote) {
            let whole = [0..<ranges.last!.upperBound]
            parts = try scan(path: path, ranges: whole, schema: schema, index: index, tolerance: tolerance,
                             chunkSize: chunkSize, malformedCap: malformedCap)
        }
        // Malformed rows carry lines relative to their range: shift them by the lines before it.
        var malformed = MalformedRowLog(cap: malformedCap)
        var linesBefore = 0
        for part in parts {
            malformed.merge(part.malformed, lineOffset: linesBefore)
            linesBefore += part.lines
        }
        return Outcome(parts: parts, malformed: malformed)
    }

    /// Byte ranges starting at line starts, about equal in size; one range for small files.
    static func split(path: String, parts: Int, minimumBytes: Int) throws -> [Range<Int>] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        guard parts > 1, size >= minimumBytes else { return [0..<size] }
        var starts = [0]
        var probe = [UInt8](repeating: 0, count: 1 << 16)
        for k in 1..<parts {
            var offset = max(size * k / parts, starts.last! + 1)
            var found = -1
            while found < 0 && offset < size {
                let count = min(probe.count, size - offset)
                let got = probe.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(offset)) }
                guard got > 0 else { break }
                if let newline = probe[0..<got].firstIndex(of: 0x0A) { found = offset + newline + 1 } else { offset += got }
            }
            if found > starts.last! && found < size { starts.append(found) }
        }
        return zip(starts, starts.dropFirst() + [size]).map { $0..<$1 }
    }

    /// Scans each range on its own thread; the first range also reads the header.
    static func scan(path: String, ranges: [Range<Int>], schema: BoxSchema, index: MaskIndex, tolerance: Double,
                     chunkSize: Int, malformedCap: Int) throws -> [Part] {
        let results = Mutex<[Int: Result<Part, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: ranges.count) { k in
            let result = Result {
                try scanRange(path: path, range: ranges[k], readsHeader: k == 0, schema: schema, index: index,
                              tolerance: tolerance, chunkSize: chunkSize, malformedCap: malformedCap)
            }
            results.withLock { $0[k] = result }
        }
        return try results.withLock { table in try (0..<ranges.count).map { try table[$0]!.get() } }
    }

    /// Scans one range: for each box row whose ImageID and LabelName have masks, parse the box
    /// and flags, and mark every mask whose box matches within `tolerance`.
    static func scanRange(path: String, range: Range<Int>, readsHeader: Bool, schema: BoxSchema, index: MaskIndex,
                          tolerance: Double, chunkSize: Int, malformedCap: Int) throws -> Part {
        let reader = try CSVReader(path: path, byteRange: range, chunkSize: chunkSize)
        if readsHeader { _ = try CSVHeader.read(from: reader) }
        var part = Part(flags: [UInt16](repeating: 0, count: index.count), malformed: MalformedRowLog(cap: malformedCap))
        var lastImage: UInt64 = 0
        var lastHead: Int32 = index.head(image: 0) ?? -1
        while try reader.next() {
            part.rows += 1
            if let problem = reader.structuralProblem {
                part.malformed.record(MalformedRow(file: path, line: reader.lineNumber, reason: problem))
                continue
            }
            do throws(RowProblem) {
                // Box files are grouped by ImageID: one table probe per image, not per row.
                let image = try schema.imageKey(reader)
                if image != lastImage {
                    lastImage = image
                    lastHead = index.head(image: image) ?? -1
                }
                guard lastHead >= 0, let label = schema.withLabel(reader, { index.labels.lookup($0) }) else { continue }
                var candidate = lastHead
                var parsed: (NormalizedBox, BoxFlags)?
                while candidate >= 0 {
                    if index.label(candidate) == label {
                        if parsed == nil {
                            part.probed += 1
                            parsed = try schema.boxAndFlags(reader)
                        }
                        if index.box(candidate).matches(parsed!.0, tolerance: tolerance) {
                            let k = Int(candidate)
                            if part.flags[k] & MaskIndex.matchedBit != 0 {
                                part.duplicates += 1
                            } else {
                                part.flags[k] = parsed!.1.packed | MaskIndex.matchedBit
                            }
                        }
                    }
                    candidate = index.next(candidate)
                }
            } catch {
                part.malformed.record(MalformedRow(file: path, line: reader.lineNumber, reason: error.reason))
            }
        }
        part.lines = reader.linesRead
        part.sawQuote = reader.sawQuotedField
        return part
    }
}
