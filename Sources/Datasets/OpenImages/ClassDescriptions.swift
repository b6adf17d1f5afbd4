/// The Open Images class names: LabelName (`/m/011k07`) -> DisplayName (`Tortoise`).
///
/// Accepts both published variants (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html): `class-descriptions-boxable.csv` has no header,
/// `oidv7-class-descriptions.csv` starts with `LabelName,DisplayName`. The first line is taken
/// as a header only when it reads exactly that.
public struct ClassDescriptions: Sendable, Equatable {
    /// LabelName -> DisplayName.
    public private(set) var names: [String: String]
    /// Whether the file had a header line.
    public let hadHeader: Bool

    /// Reads a class-descriptions file; bad lines go to `malformed`.
    public init(path: String, malformed: inout MalformedRowLog) throws {
        let reader = try CSVReader(path: path)
        var names: [String: String] = [:]
        var first = true
        var hadHeader = false
        while try reader.next() {
            if first {
                first = false
                if reader.fieldCount >= 2, reader.string(0) == "LabelName", reader.string(1) == "DisplayName" {
                    hadHeader = true
                    continue
                }
            }
            if let problem = reader.structuralProblem {
                malformed.record(MalformedRow(file: path, line: reader.lineNumber, reason: problem))
                continue
            }
            guard reader.fieldCount >= 2, !reader.isEmpty(0) else {
                malformed.record(MalformedRow(file: path, line: reader.lineNumber,
                                              reason: "expected LabelName,DisplayName, found \(reader.fieldCount) field(s)"))
                continue
            }
            names[reader.string(0)] = reader.string(1)
        }
        self.names = names
        self.hadHeader = hadHeader
    }

    /// The display name of a label, nil when unknown.
    public subscript(label: String) -> String? { names[label] }
}
