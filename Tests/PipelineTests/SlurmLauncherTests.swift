import Foundation
import GRDB
import Manifest
import Testing
import TestSupport

/// scripts/cluster/slurm-array on a real one-node Slurm (scripts/cluster/local-slurm): the helper
/// steps once, 3 array tasks, the merge job after them; the shards must equal one unpartitioned
/// `cn-run` of the same pipeline and seed, byte for byte, also after a task was cancelled mid-run
/// (scancel) and resubmitted. When Slurm cannot start, the test fails saying why.
@Suite(.serialized) struct SlurmLauncherTests {
    /// A small pipeline of the real stages (the demo's Objaverse branch at 128 px), with a helper
    /// step building its sources into `{shared}`.
    static let pipeline = """
        name: cluster-test
        seed: 11
        steps:
          - stage: fixture-objaverse
            common: false
            run: [cn-fixture, objaverse, --out, "{shared}/sources/objaverse"]
          - stage: ingest-objaverse
            run: [cn-ingest, objaverse, --root, "{shared}/sources/objaverse"]
          - stage: render
            run: [cn-render]
            config: {views: 6, resolution: 128, cameras: random, supersampling: 2}
          - stage: compose
            run: [cn-compose]
            config: {pairs_per_asset: 2, size: 128}
          - stage: caption
            run: [cn-caption]
          - stage: shard
            run: [cn-shard]
            config: {train: 0.6, val: 0.2, test: 0.2, max_samples: 4}

        """

    @Test func arrayTasksAndMergeEqualOneRunAfterACancelledTaskIsResubmitted() throws {
        let slurm = try LocalSlurm.start()
        defer { slurm.stopIfStarted() }
        let scratch = TestPaths.scratchFolder("slurm")
        let pipeline = scratch.appendingPathComponent("cluster-test.yaml").path
        try Self.pipeline.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let base = scratch.appendingPathComponent("run")
        let launch = [LocalSlurm.script("slurm-array"), pipeline, base.path, "3"]

        let first = try slurm.run(launch)
        try #require(first.status == 0, "slurm-array: \(first.output)")
        #expect(first.output.contains("prepare job") && first.output.contains("tasks 0,1,2 of 3"), "\(first.output)")

        let cancelled = try cancelOneTaskMidRender(slurm, base: base, array: try jobID("array", in: first.output))
        try slurm.waitUntilFinished(try launchedJobs(base), seconds: 600)
        let log = { (name: String) in (try? String(contentsOf: base.appendingPathComponent("logs/\(name)"), encoding: .utf8)) ?? "" }
        #expect(!FileManager.default.fileExists(atPath: base.appendingPathComponent("launch/task-\(cancelled).done").path))
        #expect(log("task-\(cancelled).out").contains("CANCELLED"), "task \(cancelled) was not cancelled: \(log("task-\(cancelled).out"))")
        #expect(log("merge.out").isEmpty, "the merge job ran although a task had not succeeded: \(log("merge.out"))")

        let second = try slurm.run(launch)
        try #require(second.status == 0, "slurm-array (resubmission): \(second.output)")
        #expect(second.output.contains("tasks \(cancelled) of 3") && !second.output.contains("prepare job"), "\(second.output)")
        try slurm.waitUntilFinished(try launchedJobs(base), seconds: 600)
        #expect(log("merge.out").contains("shard:"), "merge job: \(log("merge.out"))")
        let renders = try WorkdirSnapshot.sqlite(base.appendingPathComponent("part-\(cancelled)/manifest.sqlite").path,
                                                 "SELECT claimed FROM run WHERE stage = 'render' ORDER BY id").compactMap { Int($0) }
        let renderItems = try WorkdirSnapshot.sqlite(base.appendingPathComponent("part-\(cancelled)/manifest.sqlite").path,
                                                     "SELECT COUNT(*) FROM work WHERE stage = 'render'").first.flatMap { Int($0) } ?? 0
        #expect(renders.count == 2 && renders[1] < renderItems, "the resubmitted task must resume: render runs claimed \(renders) of \(renderItems)")

        let whole = scratch.appendingPathComponent("whole")
        let single = try ChildProcess.run("cn-run", [pipeline, "--workdir", whole.path, "--shared", base.appendingPathComponent("shared").path,
                                                     "--helpers", "skip", "--progress", "never"])
        try #require(single.status == 0, "unpartitioned cn-run: \(single.stdout)\(single.stderr)")
        let expected = try shards(whole)
        #expect(expected.keys.contains { $0.hasSuffix(".tar") })
        #expect(try shards(base.appendingPathComponent("merged")) == expected, "the launcher's shards differ from one unpartitioned run's")
    }

    /// Polls the tasks' manifests and cancels (scancel ARRAY_I) the first task seen with at least one
    /// render item done and one still pending: a task stopped in the middle of its run. Returns I.
    func cancelOneTaskMidRender(_ slurm: LocalSlurm, base: URL, array: String) throws -> Int {
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline {
            for task in 0..<3 {
                let path = base.appendingPathComponent("part-\(task)/\(ManifestStore.fileName)").path
                guard let store = try? ManifestStore(path: path, mode: .readOnly),
                      let counts = try? store.read({ db in
                          try Row.fetchOne(db, sql: """
                              SELECT SUM(status = 'done') AS done, SUM(status = 'pending') AS pending FROM work WHERE stage = 'render'
                              """)
                      }) else { continue }
                let done = (counts["done"] as Int?) ?? 0, pending = (counts["pending"] as Int?) ?? 0
                if done >= 1 && pending >= 1 {
                    let cancel = try slurm.run(["scancel", "\(array)_\(task)"])
                    try #require(cancel.status == 0, "scancel: \(cancel.output)")
                    return task
                }
            }
            if (0..<3).allSatisfy({ FileManager.default.fileExists(atPath: base.appendingPathComponent("launch/task-\($0).done").path) }) {
                throw SlurmError(message: "every task finished before one could be caught in the middle of its render step")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw SlurmError(message: "no task reached its render step in 600 s (see \(base.path)/logs)")
    }

    /// Every job the launcher submitted for `base` (BASE/launch/jobs).
    func launchedJobs(_ base: URL) throws -> Set<String> {
        let text = try String(contentsOf: base.appendingPathComponent("launch/jobs"), encoding: .utf8)
        return Set(text.split(whereSeparator: \.isNewline).map(String.init))
    }

    /// The id of the `kind` job ("prepare", "array", "merge") in the launcher's summary line.
    func jobID(_ kind: String, in output: String) throws -> String {
        guard let match = output.firstMatch(of: try Regex("\(kind) job ([0-9]+)")), let id = match.output[1].substring else {
            throw SlurmError(message: "no \(kind) job in the launcher's output: \(output)")
        }
        return String(id)
    }

    /// The bytes of every file in WORKDIR/shards.
    func shards(_ workdir: URL) throws -> [String: Data] {
        let folder = workdir.appendingPathComponent("shards")
        return Dictionary(uniqueKeysWithValues: try FileManager.default.contentsOfDirectory(atPath: folder.path).map {
            ($0, try Data(contentsOf: folder.appendingPathComponent($0)))
        })
    }
}
