import GRDB

/// Items a stage run left in flight: every claim counts one attempt, and a claim that never got
/// a status means the run died (a trap, a kill) while the item was being processed. These are
/// the rows behind the runner's poison-item rule (an item in flight at N deaths is `crashed`).
extension WorkLedger {
    /// The error kind of an item marked failed because its stage process died with it in flight.
    public static let crashedKind = "crashed"

    /// Pending items of `stage` with attempts (claims that ended without a status), by key.
    public static func interruptedItems(_ db: Database, stage: String) throws -> [String: Int] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT item, attempts FROM work WHERE stage = ? AND status = 'pending' AND attempts > 0
            """, arguments: [stage])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["item"] as String, $0["attempts"] as Int) })
    }

    /// Failed items of `stage` whose kind is `crashed` (retried last and one at a time).
    public static func crashedItems(_ db: Database, stage: String) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT item FROM work WHERE stage = ? AND status = 'failed' AND error_kind = ?",
                                arguments: [stage, crashedKind]))
    }

    /// Hands claimed items back unprocessed (a stop signal ended their run before they finished):
    /// each claim is taken back, so the item is not counted as in flight at a death.
    public static func release(_ db: Database, stage: String, keys: some Sequence<String>, now: String) throws {
        let statement = try db.cachedStatement(
            sql: "UPDATE work SET attempts = attempts - 1, updated_at = ? WHERE stage = ? AND item = ? AND attempts > 0")
        for key in keys { try statement.execute(arguments: [now, stage, key]) }
    }
}
