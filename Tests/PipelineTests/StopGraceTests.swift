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
        var done = 0
        for _ in 0..<200 where done < 11 {
            Thread.sleep(forTimeInterval: 0.1)
            done = Int((try? WorkdirSnapshot.sqlite(database, "SELECT COUNT(*) FROM work WHERE status = 'done'"))?.first ?? "0") ?? 0
        }
        #expect(done == 11, "the other items should finish while item 1 hangs")
        let signalled = Date()
        kill(child.process.processIdentifier, SIGTERM)
        let deadline = Date(timeIntervalSinceNow: 30)
        while child.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let seconds = Date().timeIntervalSince(signalled)
        if child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
        let result = child.wait()
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
}
