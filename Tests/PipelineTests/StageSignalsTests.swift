import Foundation
import Testing
import TestSupport

/// The stage flags and signals the README advertises (issue 15, item 4), through the synthetic
/// `cn-test-stage`: --max-failure-rate, SIGINT (finish and commit) and a second SIGINT (exit at
/// once, manifest still consistent and resumable).
@Suite(.serialized) struct StageSignalsTests {
    func sqlite(_ workdir: URL, _ sql: String) throws -> [String] {
        try WorkdirSnapshot.sqlite(workdir.appendingPathComponent("manifest.sqlite").path, sql)
    }

    /// 20 items, every fifth failing on purpose: a 20 % failure rate is exit 1 over a 0.1 limit
    /// (with the reason on stdout's summary) and exit 0 under a 0.3 limit or without one.
    @Test func maxFailureRateTurnsTooManyFailuresIntoExitOne() throws {
        func run(_ extra: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            let workdir = TestPaths.scratchFolder("failrate")
            return try ChildProcess.run("cn-test-stage", ["--workdir", workdir.path, "--items", "20", "--fail-every", "5", "--progress", "never"] + extra)
        }
        let over = try run(["--max-failure-rate", "0.1"])
        #expect(over.status == 1, "\(ChildProcess.report(over))")
        #expect((over.stdout + over.stderr).contains("over --max-failure-rate"), "\(ChildProcess.report(over))")
        let under = try run(["--max-failure-rate", "0.3"])
        #expect(under.status == 0, "\(ChildProcess.report(under))")
        let unlimited = try run([])
        #expect(unlimited.status == 0, "\(ChildProcess.report(unlimited))")
        let invalid = try run(["--max-failure-rate", "1.5"])
        #expect(invalid.status == 2, "a rate outside [0, 1] is a usage error: \(ChildProcess.report(invalid))")
    }

    /// Waits until the stage has committed at least one item (or gives up after 20 s).
    func waitForProgress(_ workdir: URL) throws {
        for _ in 0..<200 {
            Thread.sleep(forTimeInterval: 0.1)
            let database = workdir.appendingPathComponent("manifest.sqlite").path
            if FileManager.default.fileExists(atPath: database),
               let done = try? WorkdirSnapshot.sqlite(database, "SELECT COUNT(*) FROM work WHERE status = 'done'").first,
               (Int(done) ?? 0) > 0 { return }
        }
    }

    /// Ctrl-C once: the stage stops claiming, finishes the items in flight, commits, closes its run
    /// row and exits 130 with items still pending.
    @Test func sigintFinishesInFlightItemsAndCommits() throws {
        let workdir = TestPaths.scratchFolder("sigint")
        let child = try ChildProcess("cn-test-stage", ["--workdir", workdir.path, "--items", "3000", "--rounds", "4", "--progress", "never"])
        try waitForProgress(workdir)
        kill(child.process.processIdentifier, SIGINT)
        let result = child.wait()
        #expect(result.status == 128 + SIGINT, "\(ChildProcess.report(result))")
        #expect(result.stdout.contains("stopped by signal 2"), "\(ChildProcess.report(result))")
        let row = try sqlite(workdir, """
            SELECT exit_status, ended_at IS NOT NULL, claimed = done + failed + skipped,
                   (SELECT COUNT(*) FROM work WHERE status = 'done') = done,
                   (SELECT COUNT(*) FROM artifact) = done,
                   (SELECT COUNT(*) FROM work WHERE status = 'done') < 3000
            FROM run
            """)
        #expect(row == ["130|1|1|1|1|1"], "every claimed item must be finished and committed, items left: \(row)")
    }

    /// Ctrl-C twice: the second exits at once (status 130, the run row left open), yet every
    /// committed item has its file, and a rerun completes to an uninterrupted run's files and rows.
    @Test func secondSigintExitsAtOnceAndTheRunResumes() throws {
        let arguments = ["--items", "100", "--bytes", "65536", "--rounds", "30", "--jobs", "2", "--seed", "3", "--progress", "never"]
        let reference = TestPaths.scratchFolder("sigint2-reference"), workdir = TestPaths.scratchFolder("sigint2")
        let uninterrupted = try ChildProcess.run("cn-test-stage", ["--workdir", reference.path] + arguments)
        #expect(uninterrupted.status == 0, "\(ChildProcess.report(uninterrupted))")
        let child = try ChildProcess("cn-test-stage", ["--workdir", workdir.path] + arguments)
        try waitForProgress(workdir)
        kill(child.process.processIdentifier, SIGINT)
        Thread.sleep(forTimeInterval: 0.02)
        kill(child.process.processIdentifier, SIGINT)
        let result = child.wait()
        #expect(result.status == 130, "\(ChildProcess.report(result))")
        #expect(!result.stdout.contains("stopped by signal"), "the second Ctrl-C must not wait for the summary: \(result.stdout)")
        let state = try sqlite(workdir, """
            SELECT (SELECT COUNT(*) FROM run WHERE ended_at IS NULL),
                   (SELECT COUNT(*) FROM work WHERE status = 'done') = (SELECT COUNT(*) FROM artifact),
                   (SELECT COUNT(*) FROM work WHERE status = 'done') < 100
            """)
        #expect(state == ["1|1|1"], "open run row, one artifact per done item, items pending: \(state)")
        let resumed = try ChildProcess.run("cn-test-stage", ["--workdir", workdir.path] + arguments)
        #expect(resumed.status == 0, "\(ChildProcess.report(resumed))")
        let expected = try KillResume.manifestRows(reference), actual = try KillResume.manifestRows(workdir)
        #expect(actual == expected, "rows differ from the uninterrupted run")
        #expect(try WorkdirSnapshot(workdir, tables: [:]).files == (try WorkdirSnapshot(reference, tables: [:]).files))
    }
}
