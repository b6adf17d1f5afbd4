import GRDB

/// One SQL statement a stage wants committed together with its item's 'done' row (an INSERT
/// into `object`, `view`, `sample` ...). Statements must be deterministic for a given item so
/// that an interrupted and an uninterrupted run leave identical rows.
public struct RecordStatement: Sendable {
    /// The SQL, with `?` placeholders.
    public let sql: String
    /// The values bound to the placeholders.
    public let arguments: StatementArguments

    /// Creates a statement from SQL and its arguments.
    public init(_ sql: String, _ arguments: StatementArguments = []) {
        self.sql = sql
        self.arguments = arguments
    }
}
