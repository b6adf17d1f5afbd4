import Foundation
import CSQLite
import GRDB

/// The `work` ledger (docs/CONTRACTS.md): one row per (stage, item) with its status, attempts
/// and failure reason. An item is done only when its row says so; the row is written in the
/// same transaction as the item's records.
public enum WorkLedger {
    /// Adds `keys` as pending items of `stage`, leaving existing rows untouched; returns how many were new.
    /// Binds the constant stage and time once and steps the raw SQLite statement per key: this is
    /// the hot path of queueing millions of items (see scripts/bench/manifest).
    @discardableResult
    public static func enqueue(_ db: Database, stage: String, keys: some Sequence<String>, now: String) throws -> Int {
        let statement = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO work (stage, item, status, attempts, updated_at) VALUES (?1, ?2, 'pending', 0, ?3)")
        let raw = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        sqlite3_reset(raw)
        sqlite3_bind_text(raw, 1, stage, -1, transient)
        sqlite3_bind_text(raw, 3, now, -1, transient)
        let connection = db.sqliteConnection
        var inserted = 0
        for key in keys {
            var utf8 = key
            let code = utf8.withUTF8 { bytes in
                if let base = bytes.baseAddress, !bytes.isEmpty {
                    sqlite3_bind_text(raw, 2, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
                } else {
                    sqlite3_bind_text(raw, 2, "", 0, transient)
                }
                let step = sqlite3_step(raw)
                sqlite3_reset(raw)
                return step
            }
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
            }
            inserted += Int(sqlite3_changes(connection))
        }
        sqlite3_clear_bindings(raw)
        return inserted
    }

    /// The keys of `stage` still to process: pending ones, plus failed ones when `includeFailed`; sorted.
    public static func runnableKeys(_ db: Database, stage: String, includeFailed: Bool) throws -> [String] {
        let statuses: [WorkStatus] = includeFailed ? [.pending, .failed] : [.pending]
        let marks = statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try String.fetchAll(
            db, sql: "SELECT item FROM work WHERE stage = ? AND status IN (\(marks)) ORDER BY item", arguments: [stage])
    }

    /// Marks items as handed to a worker: `attempts` grows by one for each.
    public static func claim(_ db: Database, stage: String, keys: some Sequence<String>, now: String) throws {
        let statement = try db.cachedStatement(
            sql: "UPDATE work SET attempts = attempts + 1, updated_at = ? WHERE stage = ? AND item = ?")
        for key in keys { try statement.execute(arguments: [now, stage, key]) }
    }

    /// Records an item's final status for this attempt, with its failure or skip reason and output.
    public static func complete(
        _ db: Database, stage: String, key: String, status: WorkStatus,
        errorKind: String?, error: String?, output: String?, now: String
    ) throws {
        let statement = try db.cachedStatement(sql: """
            UPDATE work SET status = ?, error_kind = ?, error = ?, output = ?, updated_at = ?
            WHERE stage = ? AND item = ?
            """)
        try statement.execute(arguments: [status.rawValue, errorKind, error, output, now, stage, key])
    }

    /// Records an item's final status directly, for items a stage finds without queueing them
    /// (an ingest's rejected objects and malformed rows): the row counts as one attempt.
    public static func record(
        _ db: Database, stage: String, key: String, status: WorkStatus, errorKind: String?, error: String?, now: String
    ) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO work (stage, item, status, attempts, error_kind, error, output, updated_at)
            VALUES (?, ?, ?, 1, ?, ?, NULL, ?)
            """)
        try statement.execute(arguments: [stage, key, status.rawValue, errorKind, error, now])
    }

    /// Removes an item's row (an object recorded as rejected by an earlier ingest that is accepted now).
    public static func remove(_ db: Database, stage: String, key: String) throws {
        try db.cachedStatement(sql: "DELETE FROM work WHERE stage = ? AND item = ?").execute(arguments: [stage, key])
    }

    /// Counts of `stage`'s items by status (all four statuses present, zero when absent).
    public static func counts(_ db: Database, stage: String) throws -> [WorkStatus: Int] {
        var result = Dictionary(uniqueKeysWithValues: WorkStatus.allCases.map { ($0, 0) })
        let rows = try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM work WHERE stage = ? GROUP BY status", arguments: [stage])
        for row in rows {
            if let status = WorkStatus(rawValue: row["status"]) { result[status] = row["n"] }
        }
        return result
    }

    /// How many rows the ledger holds, over every stage.
    public static func totalItems(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM work") ?? 0
    }

    /// Records a published file of an item (size and sha256), replacing an earlier record of the path.
    public static func recordArtifact(_ db: Database, stage: String, key: String, path: String, bytes: Int, sha256: String) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO artifact (stage, item, path, bytes, sha256) VALUES (?, ?, ?, ?, ?)")
        try statement.execute(arguments: [stage, key, path, bytes, sha256])
    }
}

/// UTC timestamps in ISO 8601 with milliseconds, as the manifest stores them.
public enum Timestamp {
    /// The current time, e.g. "2026-11-24T20:19:22.123Z".
    public static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
