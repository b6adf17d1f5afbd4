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
/// a tolerance (formats.md: the box CSV has no BoxID), bringing IsOccluded, IsTruncated,
/// IsGroupOf, IsDepiction and IsInside to each mask.
///
/// Built for the real scale (2.7M masks, 14.6M boxes) in bounded memory, without assuming either
/// file is sorted: pass 1 streams the masks (the smaller side) into a compact index (~60 bytes a
/// mask, no Strings); pass 2 streams the boxes, and only rows whose ImageID + LabelName have
/// masks get their numbers parsed; pass 3 streams the masks again and hands each one, in file
/// order, with its flags to the caller. Peak memory is the index plus two read buffers.
/// Box rows that are never probed are checked only for their field count.
public struct MaskBoxJoin: Sendable {
    /// How far apart each coordinate may be (masks store 6 digits).
    public var tolerance: Double
    /// How many malformed rows to keep in the report.
    public var malformedCap: Int
    /// The read chunk size in bytes.
    public var chunkSize: Int

    /// Creates a join.
    public init(tolerance: Double = 1e-6, malformedCap: Int = 100, chunkSize: Int = 8 << 20) {
        self.tolerance = tolerance
        self.malformedCap = malformedCap
        self.chunkSize = chunkSize
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
                if let problem = reader.structuralProblem {
                    stats.malformed.record(MalformedRow(file: segmentationCSV, line: reader.lineNumber, reason: problem))
                    continue
                }
                do throws(RowProblem) {
                    let key = try schema.key(reader)
                    schema.withLabel(reader) { index.add(image: key.image, label: $0, box: key.box) }
                } catch {
                    stats.malformed.record(MalformedRow(file: segmentationCSV, line: reader.lineNumber, reason: error.reason))
                }
            }
        }
        stats.masks = index.count
        endPass()

        // Pass 2: stream the boxes and probe.
        for boxCSV in boxCSVs {
            let reader = try CSVReader(path: boxCSV, chunkSize: chunkSize)
            let schema = try BoxSchema(header: try CSVHeader.read(from: reader), path: boxCSV)
            var lastImage: UInt64 = 0
            var lastHead: Int32 = index.head(image: 0) ?? -1
            while try reader.next() {
                stats.boxRows += 1
                if let problem = reader.structuralProblem {
                    stats.malformed.record(MalformedRow(file: boxCSV, line: reader.lineNumber, reason: problem))
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
                                stats.boxRowsProbed += 1
                                parsed = try schema.boxAndFlags(reader)
                            }
                            if index.box(candidate).matches(parsed!.0, tolerance: tolerance) {
                                if index.setFlags(candidate, parsed!.1) { stats.matched += 1 } else { stats.duplicateMatches += 1 }
                            }
                        }
                        candidate = index.next(candidate)
                    }
                } catch {
                    stats.malformed.record(MalformedRow(file: boxCSV, line: reader.lineNumber, reason: error.reason))
                }
            }
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
