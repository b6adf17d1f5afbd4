import Foundation
import Testing

/// Architecture rule 1 (issue 14): the manifest's SQL lives in Sources/Manifest (typed records,
/// named queries and writes) and in Manifests/ (migrations, saved queries); stages, commands and
/// benchmarks speak records.
@Suite struct NoSQLOutsideManifestTests {
    /// Patterns of SQL text: statements, GRDB's raw-SQL argument label, PRAGMAs.
    static let patterns = [
        #"\bSELECT\s+(DISTINCT\s+)?[\w*"'(]"#, #"\bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b"#, #"\bUPDATE\s+\w+\s+SET\b"#,
        #"\bDELETE\s+FROM\b"#, #"\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIEW|TRIGGER)\b"#, #"\bPRAGMA\s+\w"#,
        #"\bsql:\s*""#, #"\bON\s+CONFLICT\b"#,
    ]

    static func sqlLines(_ text: String) -> [Int] {
        SourceScan.codeLines(text).filter { _, line in
            patterns.contains { line.range(of: $0, options: .regularExpression) != nil }
        }.map(\.number)
    }

    @Test func theDetectorSeesSQLAndIgnoresProse() {
        #expect(Self.sqlLines(#"try String.fetchAll(db, sql: "SELECT id FROM asset")"#) == [1])
        #expect(Self.sqlLines("    INSERT OR REPLACE INTO view (a) VALUES (?)") == [1])
        #expect(Self.sqlLines("\"UPDATE image SET width = ?\"") == [1])
        #expect(Self.sqlLines(#"@Argument(help: "The SQL to run (SELECT, WITH, read-only PRAGMA).")"#).isEmpty)
        #expect(Self.sqlLines("// SELECT * FROM sample, in a comment").isEmpty)
    }

    @Test func noSourceOutsideManifestHoldsSQL() throws {
        var offenders: [String] = []
        for folder in ["Sources", "Benchmarks/Sources"] {
            for file in try SourceScan.swiftFiles(under: folder) where !file.path.hasPrefix("Sources/Manifest/") {
                offenders += Self.sqlLines(file.text).map { "\(file.path):\($0)" }
            }
        }
        #expect(offenders.isEmpty, "SQL outside Sources/Manifest: \(offenders.joined(separator: ", "))")
    }
}
