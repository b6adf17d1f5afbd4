import Foundation
import GRDB
import Testing
@testable import Manifest
import TestSupport

/// How readers and writers open a manifest: readers never create, migrate or write it (they work
/// on a read-only file in a read-only folder); a manifest from a newer build, an empty file and a
/// file that is not SQLite are refused with one line, by `cn-manifest` and by stages alike.
@Suite(.serialized) struct ManifestOpeningTests {
    /// A workdir whose manifest has every migration but the last, as an older build left it,
    /// with a few work rows; closed (no -wal, no -shm).
    func olderWorkdir(_ label: String) throws -> URL {
        let workdir = TestPaths.scratchFolder(label)
        let queue = try DatabaseQueue(path: workdir.appendingPathComponent(ManifestStore.fileName).path)
        var migrator = DatabaseMigrator()
        for migration in EmbeddedSQL.migrations.dropLast() {
            migrator.registerMigration(migration.name) { db in try db.execute(sql: migration.sql) }
        }
        try migrator.migrate(queue)
        try queue.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
        try queue.write { db in _ = try WorkLedger.enqueue(db, stage: "noise", keys: ["a", "b", "c"], now: "t") }
        try queue.close()
        return workdir
    }

    func manifestBytes(_ workdir: URL) throws -> Data {
        try Data(contentsOf: workdir.appendingPathComponent(ManifestStore.fileName))
    }

    @Test func readingCommandsNeverChangeTheManifestsBytes() throws {
        let workdir = try olderWorkdir("readBytes")
        let before = try manifestBytes(workdir)
        let commands: [[String]] = [
            ["query", "--workdir", workdir.path, "SELECT COUNT(*) FROM work"],
            ["failures", "--workdir", workdir.path],
            ["export", "--workdir", workdir.path, "--table", "work"],
        ]
        for arguments in commands {
            let result = try ChildProcess.run("cn-manifest", arguments)
            #expect(result.status == 0, "cn-manifest \(arguments[0]): \(result.stderr)")
            #expect(try manifestBytes(workdir) == before, "cn-manifest \(arguments[0]) changed the manifest's bytes")
        }
        let applied = try WorkdirSnapshot.sqlite(workdir.appendingPathComponent(ManifestStore.fileName).path, "SELECT COUNT(*) FROM grdb_migrations")
        #expect(applied == ["\(EmbeddedSQL.migrations.count - 1)"], "a reader migrated the manifest")
    }

    @Test func queryWorksOnAReadOnlyFileInAReadOnlyFolder() throws {
        let workdir = TestPaths.scratchFolder("readOnly")
        try ManifestStore.open(workdir: workdir).write { db in _ = try WorkLedger.enqueue(db, stage: "noise", keys: ["a", "b"], now: "t") }
        let manifest = workdir.appendingPathComponent(ManifestStore.fileName).path
        for leftover in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: manifest + leftover) }
        chmod(manifest, 0o444)
        chmod(workdir.path, 0o555)
        defer { chmod(workdir.path, 0o755) }
        // Root ignores permission bits: read as `nobody`, for whom the file and folder are read-only.
        // `nobody` runs a copy of the reader: the build folder may sit where only root can go (/root).
        let readerFolder = TestPaths.scratchFolder("readOnly-reader")
        let reader = readerFolder.appendingPathComponent("cn-manifest").path
        try FileManager.default.copyItem(atPath: TestPaths.productsFolder.appendingPathComponent("cn-manifest").path, toPath: reader)
        chmod(readerFolder.path, 0o755)
        chmod(reader, 0o755)
        let command = (getuid() == 0 ? ["runuser", "-u", "nobody", "--"] : []) + [reader, "query", "--workdir", workdir.path, "SELECT COUNT(*) FROM work"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("      2"), "\(text)")
    }

    @Test func aManifestFromANewerBuildIsRefusedNamingTheMigration() throws {
        let workdir = TestPaths.scratchFolder("newer")
        try ManifestStore.open(workdir: workdir).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')")
        }
        for (executable, arguments) in [("cn-manifest", ["stats", "--workdir", workdir.path]),
                                        ("cn-manifest", ["query", "--workdir", workdir.path, "SELECT 1"]),
                                        ("cn-test-stage", ["--workdir", workdir.path, "--items", "3", "--progress", "never"])] {
            let result = try ChildProcess.run(executable, arguments)
            #expect(result.status == 1, "\(executable) \(arguments[0]) must refuse: \(result.stdout)")
            #expect(result.stderr.contains("9999_from_the_future") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        #expect(throws: ManifestError.newerSchema(path: workdir.appendingPathComponent(ManifestStore.fileName).path, migration: "9999_from_the_future")) {
            _ = try ManifestStore.open(workdir: workdir)
        }
    }

    @Test func anEmptyOrNonSQLiteManifestIsRefused() throws {
        for (label, bytes) in [("empty", Data()), ("text", Data("not a database\n".utf8))] {
            let workdir = TestPaths.scratchFolder("notManifest-\(label)")
            let manifest = workdir.appendingPathComponent(ManifestStore.fileName)
            try bytes.write(to: manifest)
            for (executable, arguments) in [("cn-manifest", ["stats", "--workdir", workdir.path]),
                                            ("cn-test-stage", ["--workdir", workdir.path, "--items", "3", "--progress", "never"])] {
                let result = try ChildProcess.run(executable, arguments)
                #expect(result.status == 1, "\(executable) on a \(label) manifest must refuse: \(result.stdout)")
                #expect(result.stderr.contains("is not a manifest") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            }
            #expect(try Data(contentsOf: manifest) == bytes, "the \(label) file was changed")
        }
    }

    /// A new manifest appears complete or not at all (issue 15's kill-resume of cn-ingest found a
    /// zero-byte manifest after a kill during creation): the schema is built in a private file,
    /// and private files of creators that died are removed by the next creation.
    @Test func aNewManifestAppearsCompleteAndAbandonedCreationsAreRemoved() throws {
        let workdir = TestPaths.scratchFolder("creation")
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let manifest = workdir.appendingPathComponent(ManifestStore.fileName).path
        let abandoned = ManifestCreation.temporaryPrefix(for: manifest) + "\(dead.processIdentifier)"
        #expect(FileManager.default.createFile(atPath: abandoned, contents: Data()))
        let store = try ManifestStore.open(workdir: workdir)
        let applied = try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") }
        #expect(applied == EmbeddedSQL.migrations.count)
        let names = try FileManager.default.contentsOfDirectory(atPath: workdir.path).sorted()
        #expect(names.allSatisfy { $0.hasPrefix(ManifestStore.fileName) && !$0.contains(".creating-") }, "\(names)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: manifest)).prefix(16) == Data(ManifestFileCheck.magic))
    }
}
