import Foundation
import GRDB
import Support

/// Merges per-partition workdirs (`--partition I/N` runs, or one workdir per cluster node)
/// into one, as datatrove and NeMo Curator merge per-worker state: rows are unioned table by
/// table (a column NULL in one workdir takes the other's value), the `work` ledger keeps the most
/// advanced status of an item, runs are appended, and
/// output files are hard-linked (or copied) into the destination. Two workdirs that hold the
/// same key or path with different content are a conflict, never silently resolved.
public enum ManifestMerge {
    /// What a merge did.
    public struct Summary: Sendable, Equatable {
        /// Rows inserted per table.
        public var rowsByTable: [String: Int] = [:]
        /// Files linked or copied into the destination.
        public var files = 0
    }

    /// Merges every source workdir into `destination` (created when missing), atomically: the
    /// result is built in a temporary folder beside it (starting from the destination's own
    /// manifest and files, if any) and renamed into place only when every source merged, so a
    /// failed merge leaves the destination as it was. Merging the same sources again adds nothing.
    public static func merge(sources: [URL], into destination: URL) throws -> Summary {
        let sourceStores = try sources.map { try ManifestStore.openExisting(workdir: $0, mode: .readOnly) }
        let staging = URL(fileURLWithPath: AtomicFile.temporaryPath(for: destination.standardizedFileURL.path))
        do {
            let summary = try build(staging: staging, from: zip(sources, sourceStores.map(\.path)), existing: destination)
            try AtomicFile.publishFolder(staging: staging.path, to: destination.path)
            return summary
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    /// Fills `staging` with the existing destination (manifest copied with VACUUM INTO, files
    /// linked) and every source; the staging manifest is closed when this returns.
    private static func build(staging: URL, from sources: Zip2Sequence<[URL], [String]>, existing destination: URL) throws -> Summary {
        try AtomicFile.makeFolders(staging.path)
        let stagedManifest = staging.appendingPathComponent(ManifestStore.fileName).path
        if FileManager.default.fileExists(atPath: destination.appendingPathComponent(ManifestStore.fileName).path) {
            let existing = try ManifestStore.openExisting(workdir: destination, mode: .readOnly)
            try existing.pool.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [stagedManifest]) }
            _ = try mergeFiles(from: destination, into: staging)
        }
        let target = try ManifestStore(path: stagedManifest)
        var summary = Summary()
        for (source, sourcePath) in sources {
            try mergeRows(from: sourcePath, into: target, summary: &summary)
            summary.files += try mergeFiles(from: source, into: staging)
        }
        _ = try target.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        return summary
    }

    private static func mergeRows(from sourcePath: String, into target: ManifestStore, summary: inout Summary) throws {
        try target.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "ATTACH DATABASE ? AS source", arguments: [sourcePath])
            defer {
                try? db.execute(sql: "DETACH DATABASE source")
                try? db.execute(sql: "PRAGMA foreign_keys = ON")
            }
            try db.inTransaction {
                let tables = try String.fetchAll(db, sql: """
                    SELECT name FROM main.sqlite_master WHERE type = 'table'
                    AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name
                    """)
                for table in tables {
                    let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM main.\"\(table)\"") ?? 0
                    switch table {
                    case "run": try mergeRuns(db)
                    case "work": try mergeWork(db)
                    default:
                        try db.execute(sql: "INSERT OR IGNORE INTO main.\"\(table)\" SELECT * FROM source.\"\(table)\"")
                        try fillMissingValues(db, table: table)
                        let differing = try conflictingRows(db, table: table)
                        if differing > 0 { throw ManifestError.mergeConflict(path: "table \(table) (\(differing) rows)") }
                    }
                    let after = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM main.\"\(table)\"") ?? 0
                    summary.rowsByTable[table, default: 0] += after - before
                }
                let broken = try Row.fetchAll(db, sql: "PRAGMA main.foreign_key_check")
                if !broken.isEmpty { throw ManifestError.mergeConflict(path: "foreign keys (\(broken.count) dangling rows)") }
                return .commit
            }
        }
    }

    /// Completes rows both workdirs hold: a column NULL here and set there takes the value (a
    /// replicated index row that the partition owning it enriched, e.g. a photo's size).
    private static func fillMissingValues(_ db: Database, table: String) throws {
        let columns = try db.columns(in: table)
        let keys = columns.filter { $0.primaryKeyIndex > 0 }.map(\.name)
        let others = columns.filter { $0.primaryKeyIndex == 0 }.map(\.name)
        guard !keys.isEmpty, !others.isEmpty else { return }
        let assignments = others.map { "\"\($0)\" = COALESCE(m.\"\($0)\", s.\"\($0)\")" }.joined(separator: ", ")
        let match = keys.map { "s.\"\($0)\" = m.\"\($0)\"" }.joined(separator: " AND ")
        let missing = others.map { "m.\"\($0)\" IS NULL AND s.\"\($0)\" IS NOT NULL" }.joined(separator: " OR ")
        try db.execute(sql: "UPDATE main.\"\(table)\" AS m SET \(assignments) FROM source.\"\(table)\" AS s WHERE \(match) AND (\(missing))")
    }

    /// Source rows that no destination row agrees with (same key, and every column equal or NULL
    /// in the source): two workdirs that wrote one key differently.
    private static func conflictingRows(_ db: Database, table: String) throws -> Int {
        let columns = try db.columns(in: table)
        let keys = Set(columns.filter { $0.primaryKeyIndex > 0 }.map(\.name))
        guard !keys.isEmpty else {
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT * FROM source.\"\(table)\" EXCEPT SELECT * FROM main.\"\(table)\")") ?? 0
        }
        let agree = columns.map { column in
            keys.contains(column.name)
                ? "m.\"\(column.name)\" = s.\"\(column.name)\""
                : "(s.\"\(column.name)\" IS m.\"\(column.name)\" OR s.\"\(column.name)\" IS NULL)"
        }.joined(separator: " AND ")
        return try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM source."\(table)" AS s WHERE NOT EXISTS (SELECT 1 FROM main."\(table)" AS m WHERE \(agree))
            """) ?? 0
    }

    /// Appends the source's runs under new ids, except runs already merged (a row equal in every
    /// column but the id), so that merging the same workdirs again appends nothing.
    private static func mergeRuns(_ db: Database) throws {
        let names = try db.columns(in: "run").map(\.name).filter { $0 != "id" }
        let columns = names.map { "\"\($0)\"" }.joined(separator: ", ")
        let same = names.map { "m.\"\($0)\" IS s.\"\($0)\"" }.joined(separator: " AND ")
        try db.execute(sql: """
            INSERT INTO main.run (\(columns)) SELECT \(columns) FROM source.run AS s
            WHERE NOT EXISTS (SELECT 1 FROM main.run AS m WHERE \(same)) ORDER BY s.id
            """)
    }

    /// Unions work rows, keeping for each (stage, item) the most advanced status
    /// (done > skipped > failed > pending) and the larger attempt count.
    private static func mergeWork(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO main.work SELECT * FROM source.work WHERE true
            ON CONFLICT (stage, item) DO UPDATE SET
                status = excluded.status, error_kind = excluded.error_kind, error = excluded.error,
                output = excluded.output, updated_at = excluded.updated_at,
                attempts = max(attempts, excluded.attempts)
            WHERE (CASE excluded.status WHEN 'done' THEN 3 WHEN 'skipped' THEN 2 WHEN 'failed' THEN 1 ELSE 0 END)
                > (CASE status WHEN 'done' THEN 3 WHEN 'skipped' THEN 2 WHEN 'failed' THEN 1 ELSE 0 END)
            """)
    }

    /// Links every output file of `source` into `destination`; identical files already there are fine.
    private static func mergeFiles(from source: URL, into destination: URL) throws -> Int {
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: source.path) else { return 0 }
        var linked = 0
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if relative.hasPrefix(ManifestStore.fileName) || relative.hasPrefix(".locks") || name.hasPrefix(AtomicFile.temporaryPrefix) {
                if name.hasPrefix(AtomicFile.temporaryPrefix) || relative == ".locks" { walker.skipDescendants() }
                continue
            }
            let from = source.appendingPathComponent(relative).path
            let to = destination.appendingPathComponent(relative).path
            var isFolder: ObjCBool = false
            _ = manager.fileExists(atPath: from, isDirectory: &isFolder)
            if isFolder.boolValue {
                try AtomicFile.makeFolders(to)
                continue
            }
            if manager.fileExists(atPath: to) {
                if !manager.contentsEqual(atPath: from, andPath: to) { throw ManifestError.mergeConflict(path: relative) }
                continue
            }
            if link(from, to) != 0 {
                do { try manager.copyItem(atPath: from, toPath: to) } catch {
                    throw FileWriteError(path: to, operation: "copy", errno: errno)
                }
            }
            linked += 1
        }
        return linked
    }
}
