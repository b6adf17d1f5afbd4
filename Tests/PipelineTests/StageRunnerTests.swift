import Foundation
import Testing
import Manifest
@testable import Pipeline
import TestSupport

/// The runner in-process: failures recorded and retried, limits, partitions, outputs, locks.
@Suite struct StageRunnerTests {
    func run(_ stage: any Stage, workdir: URL, _ configure: (inout RunOptions) -> Void = { _ in }) throws -> RunSummary {
        var options = RunOptions()
        options.progress = .never
        configure(&options)
        let manifest = try ManifestStore.open(workdir: workdir)
        let context = StageContext(workdir: workdir, seed: options.seed, configYAML: "", manifest: manifest)
        let invocation = RunLog.Invocation(executable: "test", stage: stage.name, arguments: [], configHash: nil,
                                           seed: options.seed, partition: options.partition.description, jobs: options.jobs)
        return try StageRunner(stage: stage, context: context, options: options, invocation: invocation).run()
    }

    @Test func failuresAreRecordedAndRetriedOnlyOnRequest() throws {
        let workdir = TestPaths.scratchFolder("runner")
        let stage = NoiseStage(items: 40, bytesPerItem: 64, rounds: 1, failEvery: 10)
        let first = try run(stage, workdir: workdir)
        #expect((first.done, first.failed, first.selected) == (36, 4, 40))
        let again = try run(stage, workdir: workdir)
        #expect(again.selected == 0, "done and failed items are not redone without --retry-failed")
        let retried = try run(stage, workdir: workdir) { $0.retryFailed = true }
        #expect((retried.selected, retried.failed) == (4, 4))
        let rows = try ManifestStore.open(workdir: workdir).read { db in
            try Row.fetchAll(db, sql: "SELECT item, attempts, error_kind, error FROM work WHERE status = 'failed' ORDER BY item")
        }
        #expect(rows.map { $0["item"] as String } == ["item-000000", "item-000010", "item-000020", "item-000030"])
        #expect(rows.allSatisfy { ($0["attempts"] as Int) == 2 && ($0["error_kind"] as String) == "injected-failure" })
        #expect(rows.allSatisfy { ($0["error"] as String).contains("injected failure for item-") })
    }

    @Test func limitAndPartitionSelectItems() throws {
        let workdir = TestPaths.scratchFolder("limit")
        let stage = NoiseStage(items: 90, bytesPerItem: 16, rounds: 1, failEvery: 0)
        let limited = try run(stage, workdir: workdir) { $0.limit = 25 }
        #expect((limited.done, limited.leftPending) == (25, 65))
        let rest = try run(stage, workdir: workdir)
        #expect((rest.done, rest.leftPending) == (65, 0))

        let partitioned = TestPaths.scratchFolder("partition")
        let share = try run(stage, workdir: partitioned) { $0.partition = Partition(index: 1, count: 3) }
        let expected = (0..<90).map { String(format: "item-%06d", $0) }.filter { StableHash.partition(of: $0, count: 3) == 1 }
        #expect(share.done == expected.count && share.listed == expected.count)
    }

    @Test func outputsAreRecordedAsArtifacts() throws {
        let workdir = TestPaths.scratchFolder("artifacts")
        _ = try run(NoiseStage(items: 3, bytesPerItem: 100, rounds: 1, failEvery: 0), workdir: workdir)
        let rows = try ManifestStore.open(workdir: workdir).read { db in
            try Row.fetchAll(db, sql: "SELECT a.path, a.bytes, a.sha256, w.output FROM artifact a JOIN work w USING (stage, item) ORDER BY a.path")
        }
        #expect(rows.count == 3)
        for row in rows {
            let path: String = row["path"]
            let data = try Data(contentsOf: workdir.appendingPathComponent(path))
            #expect(data.count == row["bytes"] as Int)
            #expect(SHA256.hex(data) == row["sha256"] as String)
            #expect(row["output"] as String == path)
        }
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let stage = NoiseStage(items: 5, bytesPerItem: 256, rounds: 1, failEvery: 0)
        let a = TestPaths.scratchFolder("seedA"), b = TestPaths.scratchFolder("seedB"), c = TestPaths.scratchFolder("seedC")
        _ = try run(stage, workdir: a) { $0.seed = 1; $0.jobs = 1 }
        _ = try run(stage, workdir: b) { $0.seed = 1; $0.jobs = 2 }
        _ = try run(stage, workdir: c) { $0.seed = 2 }
        let file = "noise/item-000003.bin"
        let bytesA = try Data(contentsOf: a.appendingPathComponent(file))
        #expect(bytesA == (try Data(contentsOf: b.appendingPathComponent(file))))
        #expect(bytesA != (try Data(contentsOf: c.appendingPathComponent(file))))
    }

    @Test func lockRefusesASecondHolder() throws {
        let workdir = TestPaths.scratchFolder("lock")
        let held = try StageLock(workdir: workdir, stage: "noise")
        #expect(throws: RunnerError.self) { _ = try StageLock(workdir: workdir, stage: "noise") }
        _ = try StageLock(workdir: workdir, stage: "other")
        withExtendedLifetime(held) {}
    }

    @Test func commonOutputIsTheSharedFolder() {
        #expect(StageRunner.commonOutput([]) == nil)
        #expect(StageRunner.commonOutput(["a/b/c.png"]) == "a/b/c.png")
        #expect(StageRunner.commonOutput(["a/b/c.png", "a/b/d.npy"]) == "a/b")
        #expect(StageRunner.commonOutput(["a/x/c.png", "a/y/d.npy"]) == "a")
    }
}

import GRDB
import Support
