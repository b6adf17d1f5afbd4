import Foundation
import GRDB
import Testing
@testable import Manifest
import TestSupport

/// `ManifestMerge` is idempotent (merging the same workdirs again appends no run row) and atomic
/// (built in a temporary folder and renamed: a merge stopped by a conflicting file leaves the
/// destination exactly as it was, and no `done` row whose output is missing).
@Suite struct MergeAtomicityTests {
    /// A partition workdir with one run, one done item `noise/KEY` (a folder with one file) and a
    /// file `common.bin` that every partition writes.
    func partition(_ key: String, common: String) throws -> URL {
        let workdir = TestPaths.scratchFolder("mergePart-\(key)")
        try ManifestStore.open(workdir: workdir).write { db in
            try db.execute(sql: """
                INSERT INTO run (executable, stage, arguments, seed, partition, jobs, started_at, ended_at, exit_status, claimed, done)
                VALUES ('cn-test-stage', 'noise', '[]', 5, ?, 1, 't0', 't1', 0, 1, 1)
                """, arguments: [key])
            _ = try WorkLedger.enqueue(db, stage: "noise", keys: [key], now: "t")
            try WorkLedger.complete(db, stage: "noise", key: key, status: .done, errorKind: nil, error: nil, output: "noise/\(key)", now: "t")
        }
        try FileManager.default.createDirectory(at: workdir.appendingPathComponent("noise/\(key)"), withIntermediateDirectories: true)
        try Data(key.utf8).write(to: workdir.appendingPathComponent("noise/\(key)/item.bin"))
        try Data(common.utf8).write(to: workdir.appendingPathComponent("common.bin"))
        return workdir
    }

    func count(_ workdir: URL, _ table: String) throws -> Int {
        try ManifestStore.openExisting(workdir: workdir, mode: .readOnly).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") } ?? -1
    }

    func leftovers(beside destination: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: destination.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(".cn-tmp-") && $0.contains(destination.lastPathComponent) }
    }

    @Test func mergingTheSameWorkdirsAgainAddsNothing() throws {
        let parts = [try partition("a", common: "same"), try partition("b", common: "same")]
        let out = TestPaths.scratchFolder("mergeTwice")
        _ = try ManifestMerge.merge(sources: parts, into: out)
        #expect(try count(out, "run") == 2 && count(out, "work") == 2)
        let again = try ManifestMerge.merge(sources: parts, into: out)
        #expect(try count(out, "run") == 2, "a second merge appended the runs again")
        #expect(try count(out, "work") == 2)
        #expect(again.rowsByTable.values.allSatisfy { $0 == 0 }, "\(again.rowsByTable)")
        #expect(try Data(contentsOf: out.appendingPathComponent("noise/a/item.bin")) == Data("a".utf8))
    }

    @Test func aConflictLeavesANewDestinationUncreated() throws {
        let parts = [try partition("a", common: "one"), try partition("b", common: "two")]
        let out = TestPaths.scratchFolder("mergeConflictNew").appendingPathComponent("merged")
        #expect(throws: ManifestError.mergeConflict(path: "common.bin")) { _ = try ManifestMerge.merge(sources: parts, into: out) }
        #expect(!FileManager.default.fileExists(atPath: out.path), "a failed merge left a destination behind")
        #expect(try leftovers(beside: out).isEmpty)
    }

    @Test func aConflictLeavesAnExistingDestinationAsItWas() throws {
        let a = try partition("a", common: "one"), b = try partition("b", common: "two")
        let out = TestPaths.scratchFolder("mergeConflictExisting").appendingPathComponent("merged")
        _ = try ManifestMerge.merge(sources: [a], into: out)
        let tables = ["work": "SELECT stage, item, status, output FROM work ORDER BY item", "run": "SELECT partition FROM run ORDER BY id"]
        let before = try WorkdirSnapshot(out, tables: tables)
        #expect(throws: ManifestError.self) { _ = try ManifestMerge.merge(sources: [a, b], into: out) }
        #expect(try WorkdirSnapshot(out, tables: tables) == before, "a failed merge changed the destination")
        let outputs = try ManifestStore.openExisting(workdir: out, mode: .readOnly).read { db in
            try String.fetchAll(db, sql: "SELECT output FROM work WHERE status = 'done'")
        }
        for output in outputs {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(output).path), "done row whose output \(output) is missing")
        }
        #expect(try leftovers(beside: out).isEmpty)
    }
}
