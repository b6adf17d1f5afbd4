import Foundation
import GRDB
import Testing
@testable import Manifest
import TestSupport

@Suite struct RecordsTests {
    func store() throws -> ManifestStore { try ManifestStore.open(workdir: TestPaths.scratchFolder("records")) }

    @Test func preferredCaptionTakesNarrativeThenExternalThenTemplateThenLowestIndex() throws {
        let store = try store()
        let captions = [
            CaptionRecord(subjectKind: "image", subjectID: "a", source: "template", index: 0, text: "template a"),
            CaptionRecord(subjectKind: "image", subjectID: "a", source: "narrative", index: 1, text: "narrative a1"),
            CaptionRecord(subjectKind: "image", subjectID: "a", source: "narrative", index: 0, text: "narrative a0"),
            CaptionRecord(subjectKind: "image", subjectID: "b", source: "template", index: 0, text: "template b"),
            CaptionRecord(subjectKind: "image", subjectID: "b", source: "external", index: 3, text: "external b"),
            CaptionRecord(subjectKind: "composition", subjectID: "c", source: "template", index: 2, text: "template c2"),
            CaptionRecord(subjectKind: "composition", subjectID: "c", source: "template", index: 1, text: "template c1"),
        ]
        try store.write { db in for caption in captions { try caption.store(in: db) } }
        let preferred = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT subject_id, text FROM preferred_caption ORDER BY subject_id")
                .map { "\($0["subject_id"] as String)=\($0["text"] as String)" }
        }
        #expect(preferred == ["a=narrative a0", "b=external b", "c=template c1"])
    }

    @Test func recordsRoundTripThroughTheirTables() throws {
        let store = try store()
        let asset = AssetRecord(id: "u1", path: "/x/u1.glb", format: "glb", fileBytes: 12, name: "Box", tags: "[\"box\"]", categories: nil, license: "by")
        let view = ViewRecord(assetID: "u1", index: 3, image: "render/u1/003.png", pose: "render/u1/003.npy", polar: 1.25, azimuth: -0.5, radius: 1.9)
        try store.write { db in
            try asset.store(in: db)
            try view.store(in: db)
            try view.store(in: db)  // replaces: re-running an item leaves the same rows
        }
        let found = try store.read { db in
            (try AssetRecord.find(db, id: "u1"), try ViewRecord.views(db, asset: "u1"), try ViewRecord.find(db, asset: "u1", index: 3),
             try ViewRecord.assets(db, withAtLeast: 2), try ViewRecord.assets(db), try AssetRecord.allIDs(db))
        }
        #expect(found.0 == asset)
        #expect(found.1 == [view])
        #expect(found.2 == view)
        #expect(found.3.isEmpty)
        #expect(found.4 == ["u1"])
        #expect(found.5 == ["u1"])
    }

    @Test func aWorkdirOfTheFirstThreeMigrationsOpensAndGainsTheNewOnes() throws {
        let folder = TestPaths.scratchFolder("old-workdir")
        let path = folder.appendingPathComponent(ManifestStore.fileName).path
        do {
            let queue = try DatabaseQueue(path: path)
            var migrator = DatabaseMigrator()
            for migration in EmbeddedSQL.migrations.prefix(3) {
                let sql = migration.sql
                migrator.registerMigration(migration.name) { db in try db.execute(sql: sql) }
            }
            try migrator.migrate(queue)
            try queue.write { db in
                try db.execute(sql: "INSERT INTO caption (subject_kind, subject_id, source, idx, text) VALUES ('image', 'p', 'narrative', 0, 'old')")
            }
        }
        let store = try ManifestStore.openExisting(workdir: folder)
        let applied = try store.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
        #expect(applied == EmbeddedSQL.migrations.map(\.name))
        let text = try store.read { db in try String.fetchOne(db, sql: "SELECT text FROM preferred_caption WHERE subject_id = 'p'") }
        #expect(text == "old")
    }

    @Test func workStatusIsTheSchemasSet() throws {
        let schema = EmbeddedSQL.migrations[0].sql
        for status in WorkStatus.allCases { #expect(schema.contains("'\(status.rawValue)'")) }
    }
}
