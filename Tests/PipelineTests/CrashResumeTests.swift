import Foundation
import Testing
import Support
import TestSupport

/// The tables and columns that must match between an interrupted and an uninterrupted run.
let comparedTables = [
    "work": "SELECT stage, item, status, error_kind, error, output FROM work ORDER BY stage, item",
    "artifact": "SELECT stage, item, path, bytes, sha256 FROM artifact ORDER BY path",
    "caption": "SELECT subject_kind, subject_id, source, idx, text FROM caption ORDER BY subject_id",
]

/// Crash-resume by killing (issue: the spine, "Must show"): a 600-item stage runs as a child
/// process, is SIGKILLed at random moments at least five times, then completed; outputs and rows
/// must equal an uninterrupted run's, with no duplicates, no temporaries, truthful attempts.
@Suite(.serialized) struct CrashResumeTests {
    let items = 600
    let stageArguments = ["--items", "600", "--bytes", "8192", "--rounds", "6", "--jobs", "2", "--seed", "11", "--progress", "never"]

    @Test func killedRunsResumeToTheUninterruptedResult() throws {
        let reference = TestPaths.scratchFolder("reference")
        let clock = Date()
        let uninterrupted = try ChildProcess.run("cn-test-stage", ["--workdir", reference.path] + stageArguments)
        #expect(uninterrupted.status == 0, "reference run failed: \(ChildProcess.report(uninterrupted))")
        // Kill moments scale with how long a whole run takes on this machine, so that six kills
        // land inside the work whether the machine is idle or loaded.
        let runSeconds = Date().timeIntervalSince(clock)

        let crashed = TestPaths.scratchFolder("crashed")
        var random = SeededRandom(seed: 2026)
        var kills = 0
        var attemptsBeforeKill: [Int] = []
        while kills < 6 {
            let child = try ChildProcess("cn-test-stage", ["--workdir", crashed.path] + stageArguments)
            let delay = 0.15 + runSeconds * random.uniform(0.04, 0.12)
            Thread.sleep(forTimeInterval: delay)
            if child.process.isRunning {
                kill(child.process.processIdentifier, SIGKILL)
                child.wait()
                #expect(child.process.terminationReason == .uncaughtSignal)
                kills += 1
                let done = try WorkdirSnapshot.sqlite(crashed.appendingPathComponent("manifest.sqlite").path,
                                                      "SELECT COUNT(*) FROM work WHERE status = 'done'")
                attemptsBeforeKill.append(Int(done.first ?? "0") ?? 0)
            } else {
                child.wait()
                break
            }
        }
        #expect(kills >= 5, "the stage finished before it could be killed five times; make items slower")
        #expect(attemptsBeforeKill.last ?? 0 < items, "the last kill should interrupt real work")
        let finish = try ChildProcess.run("cn-test-stage", ["--workdir", crashed.path] + stageArguments)
        #expect(finish.status == 0, "completing run failed: \(ChildProcess.report(finish))")

        let expected = try WorkdirSnapshot(reference, tables: comparedTables)
        let actual = try WorkdirSnapshot(crashed, tables: comparedTables)
        #expect(actual.files.count == items)
        #expect(actual.files == expected.files, "outputs differ from the uninterrupted run")
        #expect(actual.tables == expected.tables, "manifest rows differ from the uninterrupted run")

        let database = crashed.appendingPathComponent("manifest.sqlite").path
        let leftovers = actual.files.keys.filter { $0.contains(AtomicFile.temporaryPrefix) }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers.prefix(3))")
        let counts = try WorkdirSnapshot.sqlite(database, """
            SELECT (SELECT COUNT(*) FROM work), (SELECT COUNT(DISTINCT item) FROM work),
                   (SELECT COUNT(*) FROM caption), (SELECT MIN(attempts) FROM work),
                   (SELECT SUM(attempts) FROM work), (SELECT SUM(claimed) FROM run),
                   (SELECT COUNT(*) FROM work WHERE attempts > 1), (SELECT COUNT(*) FROM run)
            """)
        let values = counts.first!.split(separator: "|").map { Int($0)! }
        #expect(values[0] == items && values[1] == items && values[2] == items, "duplicate or missing rows: \(values)")
        #expect(values[3] >= 1, "an item was completed without an attempt being counted")
        #expect(values[4] == values[5], "sum of attempts \(values[4]) differs from items claimed by runs \(values[5])")
        #expect(values[6] <= kills * 4, "more retried items (\(values[6])) than could have been in flight at \(kills) kills")
        #expect(values[7] >= kills + 1, "every invocation must leave a run row")
    }

    @Test func secondProcessOnTheSameStageIsRefused() throws {
        let workdir = TestPaths.scratchFolder("busy")
        let first = try ChildProcess("cn-test-stage", ["--workdir", workdir.path, "--items", "3000", "--rounds", "4", "--progress", "never"])
        defer { if first.process.isRunning { kill(first.process.processIdentifier, SIGKILL) }; first.wait() }
        var started = false
        for _ in 0..<100 where !started {
            Thread.sleep(forTimeInterval: 0.1)
            started = FileManager.default.fileExists(atPath: workdir.appendingPathComponent(".locks/noise.lock").path)
        }
        #expect(started)
        Thread.sleep(forTimeInterval: 0.3)
        let second = try ChildProcess.run("cn-test-stage", ["--workdir", workdir.path, "--items", "3000", "--progress", "never"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("is already running on"), "unexpected message: \(second.stderr)")
        #expect(second.stderr.split(separator: "\n").count == 1, "the refusal should be one line")
    }

    @Test func sigtermFinishesInFlightItemsAndCommits() throws {
        let workdir = TestPaths.scratchFolder("sigterm")
        let child = try ChildProcess("cn-test-stage", ["--workdir", workdir.path, "--items", "3000", "--rounds", "4", "--progress", "never"])
        Thread.sleep(forTimeInterval: 1.5)
        kill(child.process.processIdentifier, SIGTERM)
        let result = child.wait()
        #expect(result.status == 128 + SIGTERM, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("stopped by signal 15"))
        let database = workdir.appendingPathComponent("manifest.sqlite").path
        let row = try WorkdirSnapshot.sqlite(database, """
            SELECT exit_status, ended_at IS NOT NULL, claimed = done + failed + skipped,
                   (SELECT COUNT(*) FROM work WHERE status = 'done') = done,
                   (SELECT COUNT(*) FROM artifact) = done
            FROM run
            """)
        #expect(row == ["143|1|1|1|1"], "every claimed item must be finished and committed: \(row)")
    }
}
