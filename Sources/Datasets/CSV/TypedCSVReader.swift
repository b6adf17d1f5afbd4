import Support

/// How one kind of CSV file maps to typed rows: which columns it needs (bound once from the
/// header) and how a record becomes a row. Parsers throw `RowProblem` for a bad row.
public protocol CSVRowSchema {
    /// The typed row.
    associatedtype Row
    /// Binds the columns of `header`, throwing `DatasetFileError.missingColumns` when some are absent.
    init(header: CSVHeader, path: String) throws
    /// Turns the reader's current record into a row.
    func parse(_ record: CSVReader) throws(RowProblem) -> Row
    /// Whether a record may span lines (a quoted field holding line breaks, as RFC 4180 allows).
    /// A schema that says no gets a multi-line record reported on its first line (a stray quote),
    /// and reading resumes at the next line.
    static var allowsLineBreaks: Bool { get }
}

extension CSVRowSchema {
    /// Records may span lines unless a schema says otherwise (RFC 4180).
    public static var allowsLineBreaks: Bool { true }
}

/// A streaming reader of typed rows: reads the header, binds the schema, then yields one row at a
/// time; rows that fail to parse are logged in `malformed` (file, line, reason) and skipped.
public final class TypedCSVReader<Schema: CSVRowSchema> {
    /// The bound schema.
    public let schema: Schema
    /// The header of the file.
    public let header: CSVHeader
    /// Rows skipped so far, with their reasons.
    public private(set) var malformed: MalformedRowLog
    /// Rows returned so far.
    public private(set) var rowsRead = 0
    /// The underlying record reader (its `lineNumber` is the current row's line).
    public let records: CSVReader

    /// Opens `path` and reads its header.
    public init(path: String, malformedCap: Int = 100, chunkSize: Int = 4 << 20) throws {
        records = try CSVReader(path: path, chunkSize: chunkSize)
        header = try CSVHeader.read(from: records)
        schema = try Schema(header: header, path: path)
        malformed = MalformedRowLog(cap: malformedCap)
    }

    /// The next well-formed row, nil at the end of the file.
    public func next() throws -> Schema.Row? {
        while try records.next() {
            if let problem = Schema.allowsLineBreaks ? records.structuralProblem : records.singleLineProblem() {
                malformed.record(MalformedRow(file: records.path, line: records.lineNumber, reason: problem))
                continue
            }
            do throws(RowProblem) {
                let row = try schema.parse(records)
                rowsRead += 1
                return row
            } catch {
                malformed.record(MalformedRow(file: records.path, line: records.lineNumber, reason: error.reason))
                records.resynchronizeAfterFirstLine()
            }
        }
        return nil
    }

    /// Calls `body` for every remaining row.
    public func forEach(_ body: (Schema.Row) throws -> Void) throws {
        while let row = try next() { try body(row) }
    }
}

extension CSVReader {
    /// Throws a `RowProblem` unless the record has at least `count` fields.
    @inline(__always)
    func requireFields(_ count: Int) throws(RowProblem) {
        if fieldCount < count { throw RowProblem("expected \(count) fields, found \(fieldCount)") }
    }

    /// Field `index` as a Double, or a `RowProblem` naming the column.
    @inline(__always)
    func requiredDouble(_ index: Int, _ column: StaticString) throws(RowProblem) -> Double {
        guard let value = double(index) else {
            throw RowProblem("\(column) is not a number: \"\(oneLineField(index))\"")
        }
        return value
    }

    /// Throws a `RowProblem` unless field `index` is one file name that cannot leave the folder it
    /// is joined to (`ContainedPath`, single component): ImageID and MaskPath name files.
    @inline(__always)
    func requireContainedName(_ index: Int, _ column: StaticString) throws(RowProblem) {
        if let reason = withField(index, { ContainedPath.problem(in: $0, singleComponent: true) }) {
            throw RowProblem(PathEscape(reason, what: "\(column)", path: string(index)).message)
        }
    }

    /// Field `index` shortened for a report.
    func oneLineField(_ index: Int) -> String {
        let text = string(index)
        return text.count > 40 ? String(text.prefix(37)) + "..." : text
    }
}
