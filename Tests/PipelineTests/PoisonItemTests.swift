import Foundation
import Testing
import TestSupport

/// A poison item (issue 13, part 4): an item whose process traps stayed `pending`, so every rerun
/// trapped again and the good items queued behind it never finished. Now an item in flight at
/// two deaths of its stage is failed as `crashed` at the next start and the rest proceed.
@Suite(.serialized) struct PoisonItemTests {
    let arguments = ["--items", "24", "--bytes", "256", "--jobs", "2", "--seed", "3", "--progress", "never"]

    func ledger(_ workdir: URL, _ sql: String) throws -> [String] {
        try WorkdirSnapshot.sqlite(workdir.appendingPathComponent("manifest.sqlite").path, sql)
    }

    @Test func anItemThatTrapsTwiceIsFailedAsCrashedAndTheOthersFinish() throws {
        let workdir = TestPaths.scratchFolder("poison")
        let run = ["--workdir", workdir.path, "--crash-item", "3"] + arguments
        for attempt in 1...2 {
            let child = try ChildProcess("cn-test-stage", run)
            let result = child.wait()
            #expect(child.process.terminationReason == .uncaughtSignal, "run \(attempt) should die by the planted trap: \(result.stderr)")
        }
        let third = try ChildProcess.run("cn-test-stage", run)
        #expect(third.status == 0, "the third run must finish: status \(third.status), \(third.stderr)")
        #expect(third.stdout.contains("1 item(s) failed as crashed"), "\(third.stdout)")
        let rows = try ledger(workdir, "SELECT item, status, error_kind, attempts FROM work WHERE status <> 'done' ORDER BY item")
        #expect(rows == ["item-000003|failed|crashed|2"], "\(rows)")
        try #expect(ledger(workdir, "SELECT COUNT(*) FROM work WHERE status = 'done'") == ["23"])
        let reason = try ledger(workdir, "SELECT error FROM work WHERE item = 'item-000003'").joined()
        #expect(reason.contains("died with this item in flight 2 times") && reason.contains("--retry-failed"), "\(reason)")

        // Retrying it is still possible, and a trap while retrying no longer blocks anything.
        let retry = try ChildProcess("cn-test-stage", run + ["--retry-failed"])
        _ = retry.wait()
        try #expect(ledger(workdir, "SELECT COUNT(*) FROM work WHERE status = 'done'") == ["23"])
        let fixed = try ChildProcess.run("cn-test-stage", ["--workdir", workdir.path, "--retry-failed"] + arguments)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        try #expect(ledger(workdir, "SELECT COUNT(*) FROM work WHERE status = 'done'") == ["24"])
    }

    @Test func neighboursInFlightAtTheSameDeathAreNotBlamed() throws {
        // Every item shares the trapping item's first batch; none but the trapping one may end crashed.
        let workdir = TestPaths.scratchFolder("poison-neighbours")
        let run = ["--workdir", workdir.path, "--crash-item", "0", "--rounds", "40"] + arguments
        for _ in 1...3 { _ = try ChildProcess("cn-test-stage", run).wait() }
        let last = try ChildProcess.run("cn-test-stage", run)
        #expect(last.status == 0, "\(last.stderr)")
        try #expect(ledger(workdir, "SELECT item FROM work WHERE error_kind = 'crashed'") == ["item-000000"])
        try #expect(ledger(workdir, "SELECT COUNT(*) FROM work WHERE status = 'done'") == ["23"])
    }

    @Test func maxCrashesIsConfigurable() throws {
        let workdir = TestPaths.scratchFolder("poison-max")
        let run = ["--workdir", workdir.path, "--crash-item", "5", "--max-crashes", "1"] + arguments
        let first = try ChildProcess("cn-test-stage", run)
        _ = first.wait()
        #expect(first.process.terminationReason == .uncaughtSignal)
        let second = try ChildProcess.run("cn-test-stage", run)
        #expect(second.status == 0, "\(second.stderr)")
        // With N = 1 one death is enough: the items that shared the trapping item's batch (at most
        // 2 x jobs) were in flight too and are set aside with it; every other item finishes.
        let crashed = try ledger(workdir, "SELECT item FROM work WHERE error_kind = 'crashed' AND attempts = 1")
        #expect(crashed.contains("item-000005") && crashed.count <= 4, "\(crashed)")
        try #expect(ledger(workdir, "SELECT COUNT(*) FROM work WHERE status = 'done'") == ["\(24 - crashed.count)"])
    }
}
