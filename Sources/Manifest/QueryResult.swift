import Foundation
import GRDB
import Support

/// The result of a read-only manifest query: column names and rows of display strings (NULL as nil).
public struct QueryResult: Sendable, Equatable {
    /// Column names, in order.
    public let columns: [String]
    /// Rows of values, rendered as SQLite's text form; NULL is nil.
    public let rows: [[String?]]

    /// Runs `sql` on a read-only connection to the manifest at `path` (opened as
    /// `ManifestStore.Mode.readOnly`: never created, migrated or written). A statement that would
    /// write is refused before it runs (sqlite3_stmt_readonly), and the connection itself is read-only.
    public static func run(sql: String, manifestPath: String) throws -> QueryResult {
        let store = try ManifestStore(path: manifestPath, mode: .readOnly)
        return try store.read { db in
            let statements = try db.allStatements(sql: sql)
            var last: QueryResult?
            while let statement = try statements.next() {
                guard statement.isReadonly else { throw ManifestError.notReadOnly(sql: statement.sql) }
                last = try ManifestStats.rows(statement)
            }
            return last ?? QueryResult(columns: [], rows: [])
        }
    }

    /// The ids of the samples matching an SQL condition on `sample` (every sample when nil), by
    /// id, at most `limit`; read-only like `run`.
    public static func sampleIDs(where condition: String?, limit: Int, manifestPath: String) throws -> [Int64] {
        let result = try run(sql: "SELECT id FROM sample WHERE \(condition ?? "1") ORDER BY id LIMIT \(max(0, limit))",
                             manifestPath: manifestPath)
        return result.rows.compactMap { $0.first.flatMap { $0 }.flatMap { Int64($0) } }
    }

    /// Every row of a table (the name must be a plain identifier).
    public static func table(_ name: String, manifestPath: String) throws -> QueryResult {
        try run(sql: "SELECT * FROM \"\(name)\"", manifestPath: manifestPath)
    }

    /// A stored value as display text: integers and doubles printed, text as is, blobs by size; NULL is nil.
    static func display(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .null: nil
        case .int64(let v): String(v)
        case .double(let v): formatDouble(v)
        case .string(let v): v
        case .blob(let v): "<\(v.count) bytes>"
        }
    }

    /// A double in a short, round-trippable form (up to 10 significant digits for display).
    static func formatDouble(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(format: "%.1f", value) }
        return String(format: "%.10g", value)
    }
}

/// Renders query results for people (aligned table) and for programs (JSON lines array, CSV).
public enum QueryFormatter {
    /// An aligned text table with a header and a separator line; numbers right-aligned.
    public static func table(_ result: QueryResult) -> String {
        guard !result.columns.isEmpty else { return "(no columns)\n" }
        let cells = result.rows.map { $0.map { $0 ?? "NULL" } }
        var widths = result.columns.map { $0.count }
        for row in cells { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        let numeric = result.columns.indices.map { i in
            !result.rows.isEmpty && result.rows.allSatisfy { $0[i] == nil || Double($0[i]!) != nil }
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { i, value in
                let pad = String(repeating: " ", count: widths[i] - value.count)
                return numeric[i] ? pad + value : value + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(result.columns) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in cells { out += line(row) + "\n" }
        out += "(\(result.rows.count) row\(result.rows.count == 1 ? "" : "s"))\n"
        return out
    }

    /// A JSON array of objects keyed by column name; numbers stay numbers, NULL is null.
    public static func json(_ result: QueryResult) -> String {
        let objects = objectsJSON(result)
        return "[\n" + objects.map { "  " + $0 }.joined(separator: ",\n") + (objects.isEmpty ? "" : "\n") + "]\n"
    }

    /// JSON Lines: one object per row.
    public static func jsonLines(_ result: QueryResult) -> String {
        objectsJSON(result).map { $0 + "\n" }.joined()
    }

    /// Each row as one JSON object text.
    static func objectsJSON(_ result: QueryResult) -> [String] {
        result.rows.map { row in
            let fields = zip(result.columns, row).map { column, value -> String in
                let rendered = value.map { isJSONNumber($0) ? $0 : JSONString.quoted($0) } ?? "null"
                return JSONString.quoted(column) + ": " + rendered
            }
            return "{" + fields.joined(separator: ", ") + "}"
        }
    }

    /// Whether a rendered value can stand in JSON as a bare number (no leading zeros, finite).
    static func isJSONNumber(_ text: String) -> Bool {
        text.range(of: #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil
    }

    /// RFC 4180 CSV with a header row; NULL is an empty field.
    public static func csv(_ result: QueryResult) -> String {
        func field(_ value: String?) -> String {
            guard let value else { return "" }
            if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return value
        }
        var out = result.columns.map(field).joined(separator: ",") + "\r\n"
        for row in result.rows { out += row.map(field).joined(separator: ",") + "\r\n" }
        return out
    }
}
