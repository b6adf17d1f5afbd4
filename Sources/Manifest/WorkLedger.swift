import Foundation
import GRDB

/// The `work` ledger (DESIGN.md CONTRACT): one row per (stage, item) with its status, attempts
/// and failure reason. An item is done only when its row says so; the row is written in the
/// same transaction as the item's records.
public enum WorkLedger {
    /// Adds `keys` as pending items of `stage`, leaving existing rows untouched; returns how many were new.
    @discardableResult
    public static func enqueue(_ db: Database, stage: String, keys: some Sequence<String>, now: String) throws -> Int {
        let statement = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO work (stage, item, status, attempts, updated_at) VALUES (?, ?, 'pending', 0, ?)")
        var inserted = 0
        for key in keys {
            try statement.execute(arguments: [stage, key, now])
            inserted += db.changesCount
        }
        return inserted
    }

    /// The keys of `stage` still to process: pending ones, plus failed ones when `includeFailed`; sorted.
    public static func runnableKeys(_ db: Database, stage: String, includeFailed: Bool) throws -> [String] {
        let statuses = includeFailed ? "('pending', 'failed')" : "('pending')"
        return try String.fetchAll(
            db, sql: "SELECT item FROM work WHERE stage = ? AND status IN \(statuses) ORDER BY item", arguments: [stage])
    }

    /// Marks items as handed to a worker: `attempts` grows by one for each.
    public static func claim(_ db: Database, stage: String, keys: some Sequence<String>, now: String) throws {
        let statement = try db.cachedStatement(
            sql: "UPDATE work SET attempts = attempts + 1, updated_at = ? WHERE stage = ? AND item = ?")
        for key in keys { try statement.execute(arguments: [now, stage, key]) }
    }

    /// Records an item's final status for this attempt, with its failure or skip reason and output.
    public static func complete(
        _ db: Database, stage: String, key: String, status: String,
        errorKind: String?, error: String?, output: String?, now: String
    ) throws {
        let statement = try db.cachedStatement(sql: """
            UPDATE work SET status = ?, error_kind = ?, error = ?, output = ?, updated_at = ?
            WHERE stage = ? AND item = ?
            """)
        try statement.execute(arguments: [status, errorKind, error, output, now, stage, key])
    }

    /// Counts of `stage`'s items by status (all four statuses present, zero when absent).
    public static func counts(_ db: Database, stage: String) throws -> [String: Int] {
        var result = ["pending": 0, "done": 0, "failed": 0, "skipped": 0]
        let rows = try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM work WHERE stage = ? GROUP BY status", arguments: [stage])
        for row in rows { result[row["status"]] = row["n"] }
        return result
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
