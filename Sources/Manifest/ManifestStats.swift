import GRDB

/// Summaries for `cn-manifest stats` and `cn-manifest failures`.
public enum ManifestStats {
    /// Items per stage and status, then row counts of every corpus table.
    public static func overview(_ db: Database) throws -> (work: QueryResult, tables: QueryResult) {
        let work = try rows(db, sql: """
            SELECT stage,
                   SUM(status = 'done') AS done, SUM(status = 'failed') AS failed,
                   SUM(status = 'skipped') AS skipped, SUM(status = 'pending') AS pending,
                   SUM(attempts) AS attempts
            FROM work GROUP BY stage ORDER BY stage
            """)
        let names = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
            AND name NOT LIKE 'grdb_%' ORDER BY name
            """)
        var counts: [[String?]] = []
        for name in names {
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(name)\"") ?? 0
            counts.append([name, String(count)])
        }
        return (work, QueryResult(columns: ["table", "rows"], rows: counts))
    }

    /// Failed and skipped items grouped by stage, status and kind, with an example message.
    public static func failureSummary(_ db: Database, stage: String?) throws -> QueryResult {
        try rows(db, sql: """
            SELECT stage, status, COALESCE(error_kind, '-') AS kind, COUNT(*) AS items, MIN(error) AS example
            FROM work WHERE status IN ('failed', 'skipped') AND (?1 IS NULL OR stage = ?1)
            GROUP BY stage, status, error_kind ORDER BY stage, items DESC, kind
            """, arguments: [stage])
    }

    /// Every failed and skipped item with its reason (for `failures --list`).
    public static func failureList(_ db: Database, stage: String?) throws -> QueryResult {
        try rows(db, sql: """
            SELECT stage, item, status, error_kind AS kind, attempts, error
            FROM work WHERE status IN ('failed', 'skipped') AND (?1 IS NULL OR stage = ?1)
            ORDER BY stage, item
            """, arguments: [stage])
    }

    static func rows(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> QueryResult {
        try rows(db.makeStatement(sql: sql), arguments: arguments)
    }

    /// Fetches every row of a prepared statement as display strings.
    static func rows(_ statement: Statement, arguments: StatementArguments = []) throws -> QueryResult {
        let rows = try Row.fetchAll(statement, arguments: arguments).map { row in
            (0..<row.count).map { index in QueryResult.display(row[index]) }
        }
        return QueryResult(columns: statement.columnNames, rows: rows)
    }
}
