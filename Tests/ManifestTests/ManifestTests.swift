import Foundation
import GRDB
import Testing
@testable import Manifest
import TestSupport

@Suite struct SchemaTests {
    @Test func embeddedSQLMatchesTheFilesUnderManifests() throws {
        let root = TestPaths.repositoryRoot.appendingPathComponent("Manifests")
        let migrationFiles = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("migrations").path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(EmbeddedSQL.migrations.map { $0.name + ".sql" } == migrationFiles, "run scripts/dev/embed-sql")
        for migration in EmbeddedSQL.migrations {
            let text = try String(contentsOf: root.appendingPathComponent("migrations/\(migration.name).sql"), encoding: .utf8)
            #expect(migration.sql == text, "\(migration.name) changed: run scripts/dev/embed-sql (and never edit a released migration)")
        }
        let queryFiles = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("queries").path)
            .filter { $0.hasSuffix(".sql") }
        #expect(Set(EmbeddedSQL.savedQueries.keys.map { $0 + ".sql" }) == Set(queryFiles), "run scripts/dev/embed-sql")
    }

    @Test func manifestIsWALWithForeignKeys() throws {
        let store = try ManifestStore.open(workdir: TestPaths.scratchFolder("schema"))
        let (journal, foreignKeys) = try store.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
        #expect(throws: DatabaseError.self) {
            try store.write { db in
                try db.execute(sql: "INSERT INTO view (asset_id, idx, image, pose, polar, azimuth, radius) VALUES ('nope', 0, 'a', 'b', 0, 0, 0)")
            }
        }
        #expect(throws: DatabaseError.self) {
            try store.write { db in
                try db.execute(sql: "INSERT INTO work (stage, item, status, updated_at) VALUES ('s', 'i', 'finished', 'now')")
            }
        }
    }

    @Test func everySavedQueryRunsInGRDBAndTheSQLiteShell() throws {
        let workdir = TestPaths.scratchFolder("saved")
        let store = try ManifestStore.open(workdir: workdir)
        for (name, sql) in EmbeddedSQL.savedQueries {
            #expect(throws: Never.self, "saved query \(name)") { _ = try QueryResult.run(sql: sql, manifestPath: store.path) }
            #expect(throws: Never.self, "saved query \(name) in the sqlite3 shell") { _ = try WorkdirSnapshot.sqlite(store.path, sql) }
        }
    }
}

@Suite struct QueryTests {
    func store() throws -> ManifestStore {
        let store = try ManifestStore.open(workdir: TestPaths.scratchFolder("query"))
        try store.write { db in
            try WorkLedger.enqueue(db, stage: "extract", keys: ["a", "b,c"], now: "t")
            try WorkLedger.complete(db, stage: "extract", key: "a", status: .failed, errorKind: "corrupt-jpeg", error: "bad \"jpeg\"", output: nil, now: "t")
        }
        return store
    }

    @Test func writesAreRefused() throws {
        let store = try store()
        for sql in ["DELETE FROM work", "UPDATE work SET status = 'done'", "SELECT 1; DROP TABLE work", "PRAGMA journal_mode = DELETE"] {
            #expect(throws: ManifestError.self, "\(sql)") { _ = try QueryResult.run(sql: sql, manifestPath: store.path) }
        }
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM work") } == 2)
    }

    @Test func formatsTableJSONAndCSV() throws {
        let result = try QueryResult.run(sql: "SELECT item, attempts, error FROM work ORDER BY item", manifestPath: try store().path)
        #expect(QueryFormatter.table(result) == """
            item  attempts  error
            ----  --------  ----------
            a            0  bad "jpeg"
            b,c          0  NULL
            (2 rows)

            """)
        #expect(QueryFormatter.json(result) == """
            [
              {"item": "a", "attempts": 0, "error": "bad \\"jpeg\\""},
              {"item": "b,c", "attempts": 0, "error": null}
            ]

            """)
        #expect(QueryFormatter.csv(result) == "item,attempts,error\r\na,0,\"bad \"\"jpeg\"\"\"\r\n\"b,c\",0,\r\n")
    }

    @Test func failureSummaryGroupsByKind() throws {
        let summary = try store().read { try ManifestStats.failureSummary($0, stage: nil) }
        #expect(summary.rows == [["extract", "failed", "corrupt-jpeg", "1", "bad \"jpeg\""]])
    }
}

@Suite struct MergeTests {
    @Test func conflictingRowsStopTheMerge() throws {
        let a = TestPaths.scratchFolder("mergeA"), b = TestPaths.scratchFolder("mergeB")
        for (folder, name) in [(a, "Car"), (b, "Automobile")] {
            try ManifestStore.open(workdir: folder).write { db in
                try db.execute(sql: "INSERT INTO class (label, name) VALUES ('/m/0k4j', ?)", arguments: [name])
            }
        }
        #expect(throws: ManifestError.self) {
            _ = try ManifestMerge.merge(sources: [a, b], into: TestPaths.scratchFolder("mergeOut"))
        }
    }

    @Test func aValueFillsTheOtherWorkdirsNull() throws {
        let a = TestPaths.scratchFolder("fillA"), b = TestPaths.scratchFolder("fillB")
        for (folder, width) in [(a, nil), (b, 640)] as [(URL, Int?)] {
            try ManifestStore.open(workdir: folder).write { db in
                try db.execute(sql: "INSERT INTO image (id, split, path, rotation, width, height) VALUES ('img', 'train', 'p.jpg', 0, ?, ?)",
                               arguments: [width, width.map { $0 / 2 }])
            }
        }
        let out = TestPaths.scratchFolder("fillOut")
        _ = try ManifestMerge.merge(sources: [a, b], into: out)
        let size = try ManifestStore.open(workdir: out).read { try Row.fetchOne($0, sql: "SELECT width, height FROM image") }
        #expect(size?["width"] == 640 && size?["height"] == 320)
    }

    @Test func mostAdvancedStatusWins() throws {
        let a = TestPaths.scratchFolder("statusA"), b = TestPaths.scratchFolder("statusB")
        try ManifestStore.open(workdir: a).write { db in _ = try WorkLedger.enqueue(db, stage: "s", keys: ["x"], now: "t") }
        try ManifestStore.open(workdir: b).write { db in
            try WorkLedger.enqueue(db, stage: "s", keys: ["x"], now: "t")
            try WorkLedger.complete(db, stage: "s", key: "x", status: .done, errorKind: nil, error: nil, output: "o", now: "t")
        }
        let out = TestPaths.scratchFolder("statusOut")
        _ = try ManifestMerge.merge(sources: [b, a], into: out)
        #expect(try ManifestStore.open(workdir: out).read { try String.fetchOne($0, sql: "SELECT status FROM work") } == "done")
    }
}
