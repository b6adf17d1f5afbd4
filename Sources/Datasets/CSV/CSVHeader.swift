/// The column names of a CSV file and where each sits, so readers find columns by name (as
/// fiftyone's and datumaro's Open Images loaders do) and survive reordered or extra columns.
public struct CSVHeader: Sendable, Equatable {
    /// The names in file order.
    public let names: [String]
    private let positions: [String: Int]

    /// Creates a header from the column names (surrounding spaces are trimmed).
    public init(_ names: [String]) {
        let trimmed = names.map { String($0.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()) }
        self.names = trimmed
        var positions: [String: Int] = [:]
        for (index, name) in trimmed.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }

    /// The position of a column, nil when absent.
    public func index(of name: String) -> Int? { positions[name] }

    /// The positions of `required` columns, or an error naming every missing one.
    public func indices(of required: [String], path: String) throws -> [Int] {
        let missing = required.filter { positions[$0] == nil }
        guard missing.isEmpty else { throw DatasetFileError.missingColumns(path: path, missing: missing, found: names) }
        return required.map { positions[$0]! }
    }

    /// Reads the first record of `reader` as the header.
    public static func read(from reader: CSVReader) throws -> CSVHeader {
        guard try reader.next() else { throw DatasetFileError.emptyFile(path: reader.path) }
        return CSVHeader(reader.strings())
    }
}
