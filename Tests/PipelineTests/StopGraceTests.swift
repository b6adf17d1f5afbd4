import Foundation
import Testing
import TestSupport

/// SIGTERM ends a stage within seconds even when an item never finishes: the runner waits a
/// short grace for the items in flight, hands the unfinished ones back to `pending` (their claim
/// taken back, so no run counts them as crashed) and exits with 128 + 15.
@Suite(.serialized) struct StopGraceTests {
    @Test func sigtermReleasesAStuckItemAndExitsWithinSeconds() throws {
        let workdir = TestPaths.scratchFolder("sigterm-stuck")
        let arguments = ["--workdir", workdir.path, "--items", "12", "--bytes", "256", "--jobs", "2", "--seed", "5", "--progress", "never"]
        let child = try ChildProcess("cn-test-stage", arguments + ["--hang-item", "1"])
        let database = workdir.appendingPathComponent("manifest.sqlite").path
        let done = Self.waitForDone(11, in: database, seconds: 20)
        #expect(done == 11, "the other items should finish while item 1 hangs")
        let (seconds, result) = Self.terminate(child)
        #expect(seconds < 15, "SIGTERM took \(seconds) s to end the stage")
        #expect(result.status == 128 + SIGTERM, "status \(result.status): \(result.stderr)")
        #expect(result.stdout.contains("1 unfinished item(s) released to pending"), "\(result.stdout)")
        let row = try WorkdirSnapshot.sqlite(database, """
            SELECT w.status, w.attempts, r.exit_status, r.claimed = r.done + r.failed + r.skipped
            FROM work w, run r WHERE w.item = 'item-000001'
            """)
        #expect(row == ["pending|0|143|1"], "the stuck item must be pending and unclaimed: \(row)")

        let resumed = try ChildProcess.run("cn-test-stage", arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try #expect(WorkdirSnapshot.sqlite(database, "SELECT COUNT(*), SUM(attempts) FROM work WHERE status = 'done'") == ["12|12"])
    }

    @Test func cnRunPassesSigtermToTheRunningStepAndStartsNoOther() throws {
        let folder = TestPaths.scratchFolder("sigterm-cn-run")
        let workdir = folder.appendingPathComponent("w")
        let file = folder.appendingPathComponent("p.yaml")
        try """
            name: t
            steps:
              - stage: noise
                run: [cn-test-stage, --items, "12", --bytes, "256", --hang-item, "1"]
              - stage: after
                common: false
                run: [cn-fixture, objaverse, --out, "{workdir}/after"]
            """.write(to: file, atomically: true, encoding: .utf8)
        let child = try ChildProcess("cn-run", [file.path, "--workdir", workdir.path, "--jobs", "2", "--progress", "never"])
        let database = workdir.appendingPathComponent("manifest.sqlite").path
        let done = Self.waitForDone(11, in: database, seconds: 30)
        #expect(done == 11)
        let (seconds, result) = Self.terminate(child)
        #expect(seconds < 15, "SIGTERM took \(seconds) s to end cn-run")
        #expect(result.status == 128 + SIGTERM, "status \(result.status): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workdir.appendingPathComponent("after").path), "a step started after SIGTERM")
        // The step itself stopped (its lock is free) and gave the stuck item back.
        try #expect(WorkdirSnapshot.sqlite(database, "SELECT status, attempts FROM work WHERE item = 'item-000001'") == ["pending|0"])
        let again = try ChildProcess.run("cn-test-stage", ["--workdir", workdir.path, "--items", "12", "--bytes", "256", "--progress", "never"])
        #expect(again.status == 0, "\(again.stderr)")
    }

    /// Polls the manifest until `count` items are done (or `seconds` pass); returns the last count.
    static func waitForDone(_ count: Int, in database: String, seconds: Double) -> Int {
        var done = 0
        for _ in 0..<Int(seconds * 10) where done < count {
            Thread.sleep(forTimeInterval: 0.1)
            done = Int((try? WorkdirSnapshot.sqlite(database, "SELECT COUNT(*) FROM work WHERE status = 'done'"))?.first ?? "0") ?? 0
        }
        return done
    }

    /// Sends SIGTERM and waits up to 30 s (then SIGKILL); returns the seconds it took and the result.
    static func terminate(_ child: ChildProcess) -> (Double, (status: Int32, stdout: String, stderr: String)) {
        let signalled = Date()
        kill(child.process.processIdentifier, SIGTERM)
        let deadline = Date(timeIntervalSinceNow: 30)
        while child.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let seconds = Date().timeIntervalSince(signalled)
        if child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
        return (seconds, child.wait())
    }
}
