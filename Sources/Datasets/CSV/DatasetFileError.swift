import Support

/// A dataset file that cannot be used at all (as opposed to one bad row, see `MalformedRow`):
/// the stage stops with this one-line reason.
public enum DatasetFileError: DescribedError, Equatable {
    /// The file cannot be opened or read.
    case unreadable(path: String, reason: String)
    /// The header lacks columns the reader needs.
    case missingColumns(path: String, missing: [String], found: [String])
    /// The file is empty where a header was expected.
    case emptyFile(path: String)
    /// One record is longer than the reader's limit (probably not a CSV file).
    case recordTooLong(path: String, line: Int, limit: Int)
    /// The content is not in the expected format (bad gzip, bad JSON document ...).
    case badFormat(path: String, reason: String)

    public var kind: String {
        switch self {
        case .unreadable: "unreadable-file"
        case .missingColumns: "missing-columns"
        case .emptyFile: "empty-file"
        case .recordTooLong: "record-too-long"
        case .badFormat: "bad-file-format"
        }
    }

    public var message: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .missingColumns(let path, let missing, let found):
            "\(path): header lacks column(s) \(missing.joined(separator: ", ")) (found: \(found.prefix(30).joined(separator: ",")))"
        case .emptyFile(let path):
            "\(path) is empty (expected a CSV header line)"
        case .recordTooLong(let path, let line, let limit):
            "\(path):\(line): a record is longer than \(limit) bytes; is this really a CSV file?"
        case .badFormat(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
