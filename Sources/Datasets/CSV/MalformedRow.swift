/// One row a reader skipped: which file, which line, and why. Malformed rows are never fatal;
/// they are counted and the first few are kept for the stage's report.
public struct MalformedRow: Sendable, Equatable, CustomStringConvertible {
    /// The file the row came from.
    public let file: String
    /// The 1-based line on which the row starts.
    public let line: Int
    /// Why the row was skipped, one line.
    public let reason: String

    /// Creates a report entry.
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `file:line: reason`, the form compilers use, so editors can jump to it.
    public var description: String { "\(file):\(line): \(reason)" }
}

/// The malformed rows of one or more files: the total count and the first `cap` entries.
public struct MalformedRowLog: Sendable, Equatable {
    /// How many entries are kept; later ones are only counted.
    public let cap: Int
    /// The kept entries, in reading order.
    public private(set) var kept: [MalformedRow] = []
    /// How many malformed rows were seen in all.
    public private(set) var total = 0

    /// Creates an empty log keeping at most `cap` entries.
    public init(cap: Int = 100) { self.cap = cap }

    /// Records one malformed row.
    public mutating func record(_ row: MalformedRow) {
        total += 1
        if kept.count < cap { kept.append(row) }
    }

    /// Adds another log's entries (for readers that ran in parallel).
    public mutating func merge(_ other: MalformedRowLog) {
        total += other.total
        for row in other.kept where kept.count < cap { kept.append(row) }
    }

    /// Adds another log's entries with their line numbers shifted by `lineOffset` (for logs of
    /// readers that started mid-file).
    public mutating func merge(_ other: MalformedRowLog, lineOffset: Int) {
        total += other.total
        for row in other.kept where kept.count < cap {
            kept.append(MalformedRow(file: row.file, line: row.line + lineOffset, reason: row.reason))
        }
    }

    /// One line for a stage summary: the count and the first reason.
    public var summary: String {
        guard let first = kept.first else { return "no malformed rows" }
        return "\(total) malformed row(s), first: \(first)"
    }
}

/// Why one row cannot be used; readers throw it from their row parsers (typed throws, no allocation
/// on the happy path) and turn it into a `MalformedRow`.
public struct RowProblem: Error, Sendable, Equatable {
    /// The reason, one line.
    public let reason: String
    /// Creates a problem.
    public init(_ reason: String) { self.reason = reason }
}
