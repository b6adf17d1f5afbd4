#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mask row with the flags of its box, the unit the Open Images filters judge.
public struct JoinedMask: Sendable, Equatable {
    /// The segmentation row.
    public var mask: SegmentationRow
    /// The five flags of the matching box row; nil when no box matched.
    public var flags: BoxFlags?
    /// The line of the mask in the segmentation CSV.
    public var line: Int

    /// Creates a joined mask.
    public init(mask: SegmentationRow, flags: BoxFlags?, line: Int) {
        self.mask = mask
        self.flags = flags
        self.line = line
    }
}

/// What a join did: counts and the malformed rows of both files.
public struct MaskBoxJoinStats: Sendable, Equatable {
    /// Well-formed masks read.
    public var masks = 0
    /// Box rows read (well-formed or not).
    public var boxRows = 0
    /// Box rows whose (ImageID, LabelName) had masks and were therefore fully parsed.
    public var boxRowsProbed = 0
    /// Masks that found their box.
    public var matched = 0
    /// Masks no box matched (emitted with nil flags).
    public var unmatched = 0
    /// Box rows that matched a mask another box had already matched (duplicate boxes).
    public var duplicateMatches = 0
    /// How many byte ranges the box scan used (1 when sequential).
    public var boxScanParts = 0
    /// Approximate bytes of the in-memory index.
    public var indexBytes = 0
    /// Skipped rows of both files.
    public var malformed: MalformedRowLog
    /// Wall-clock seconds of pass 1 (index the masks), 2 (scan the boxes), 3 (emit the masks, including the caller's work).
    public var passSeconds: [Double] = []

    /// Creates empty stats.
    public init(malformedCap: Int = 100) { malformed = MalformedRowLog(cap: malformedCap) }
}

/// Joins the segmentation CSV to the box CSV by ImageID + LabelName + the four coordinates within
/// a tolerance (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html: the box CSV has no BoxID), bringing IsOccluded, IsTruncated,
/// IsGroupOf, IsDepiction and IsInside to each mask.
///
/// Built for the real scale (2.7M masks, 14.6M boxes) in bounded memory, without assuming either
/// file is sorted: pass 1 streams the masks (the smaller side) into a compact index (about 65 bytes a
/// mask, no Strings: 193 MB for 3M masks); pass 2 streams the boxes, and only rows whose ImageID + LabelName have
/// masks get their numbers parsed; pass 3 streams the masks again and hands each one, in file
/// order, with its flags to the caller. Peak memory is the index plus two read buffers (and,
/// during pass 2, 2 bytes a mask for each scanning thread). Pass 2 runs one thread per core
/// over byte ranges of the box file (see `BoxScan`); the result does not depend on the split.
/// Box rows that are never probed are checked only for their field count.
public struct MaskBoxJoin: Sendable {
    /// How far apart each coordinate may be (masks store 6 digits).
    public var tolerance: Double
    /// How many malformed rows to keep in the report.
    public var malformedCap: Int
    /// The read chunk size in bytes.
    public var chunkSize: Int
    /// Threads for the box scan (0: one per active core).
    public var threads: Int
    /// Box files smaller than this are scanned on one thread.
    public var parallelMinimumBytes: Int

    /// Creates a join.
    public init(tolerance: Double = 1e-6, malformedCap: Int = 100, chunkSize: Int = 8 << 20, threads: Int = 0,
                parallelMinimumBytes: Int = 32 << 20) {
        self.tolerance = tolerance
        self.malformedCap = malformedCap
        self.chunkSize = chunkSize
        self.threads = threads > 0 ? threads : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        self.parallelMinimumBytes = parallelMinimumBytes
    }

    /// Runs the join over one segmentation CSV and one or more box CSVs, calling `body` for every
    /// well-formed mask in file order.
    public func run(segmentationCSV: String, boxCSVs: [String], _ body: (JoinedMask) throws -> Void) throws -> MaskBoxJoinStats {
        var stats = MaskBoxJoinStats(malformedCap: malformedCap)
        var index = MaskIndex()
        let clock = ContinuousClock()
        var passStart = clock.now
        func endPass() {
            let elapsed = passStart.duration(to: clock.now).components
            stats.passSeconds.append(Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
            passStart = clock.now
        }

        // Pass 1: index the masks.
        do {
            let reader = try CSVReader(path: segmentationCSV, chunkSize: chunkSize)
            let schema = try SegmentationSchema(header: try CSVHeader.read(from: reader), path: segmentationCSV)
            while try reader.next() {
                if let problem = reader.singleLineProblem() {
                    stats.malformed.record(MalformedRow(file: segmentationCSV, line: reader.lineNumber, reason: problem))
                    continue
                }
                do throws(RowProblem) {
                    let key = try schema.key(reader)
                    schema.withLabel(reader) { index.add(image: key.image, label: $0, box: key.box) }
                } catch {
                    stats.malformed.record(MalformedRow(file: segmentationCSV, line: reader.lineNumber, reason: error.reason))
                    reader.resynchronizeAfterFirstLine()
                }
            }
        }
        stats.masks = index.count
        endPass()

        // Pass 2: stream the boxes (in parallel byte ranges) and probe.
        for boxCSV in boxCSVs {
            let outcome = try BoxScan.run(path: boxCSV, index: index, tolerance: tolerance, chunkSize: chunkSize,
                                          malformedCap: malformedCap, threads: threads, parallelMinimumBytes: parallelMinimumBytes)
            stats.boxRows += outcome.rows
            stats.boxRowsProbed += outcome.probed
            stats.duplicateMatches += outcome.duplicates
            stats.boxScanParts = max(stats.boxScanParts, outcome.parts.count)
            stats.malformed.merge(outcome.malformed)
            let adopted = index.adopt(outcome.parts.map(\.flags))  // earlier files and ranges win
            stats.matched += adopted.matched
            stats.duplicateMatches += adopted.duplicates
        }
        stats.unmatched = stats.masks - stats.matched
        stats.indexBytes = index.approximateBytes
        endPass()

        // Pass 3: the masks again, in order, with their flags (same acceptance as pass 1).
        let reader = try SegmentationCSVReader(path: segmentationCSV, malformedCap: 0, chunkSize: chunkSize)
        var position = 0
        while let row = try reader.next() {
            guard position < index.count else { break }
            try body(JoinedMask(mask: row, flags: index.flags(position), line: reader.records.lineNumber))
            position += 1
        }
        endPass()
        return stats
    }
}
