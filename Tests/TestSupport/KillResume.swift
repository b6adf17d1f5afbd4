import Foundation
import Support

/// Crash-resume by SIGKILL for any stage executable (docs/CONTRACTS.md: "run stage by stage and resume
/// after failures"): runs the command once uninterrupted on a copy of a prepared workdir and
/// measures it, SIGKILLs it on a second copy at fractions of that run length, resumes, and
/// compares every output file and every manifest row with the uninterrupted run.
public struct KillResume {
    /// One kill attempt.
    public struct Kill: CustomStringConvertible {
        /// The fraction of the measured run length the kill was aimed at, and the delay in seconds.
        public let fraction: Double, delay: Double
        /// True when the process was still running at the kill and died by SIGKILL.
        public let killed: Bool
        /// Units finished (see `finished`) in the killed workdir right after the kill.
        public let finishedAtKill: Int

        public var description: String {
            String(format: "%.2f of the run (%.2f s): ", fraction, delay) + (killed ? "killed with \(finishedAtKill) finished" : "had ended")
        }
    }

    /// What a check found.
    public struct Outcome {
        /// The uninterrupted run's workdir and the killed-and-resumed one.
        public let reference: URL, resumed: URL
        /// Seconds the uninterrupted run took.
        public let runSeconds: Double
        /// Units finished before the run (in the input workdir) and by the uninterrupted run.
        public let baseline: Int, total: Int
        /// The kill attempts, in order.
        public let kills: [Kill]
        /// Everything that went wrong (empty when the check passed), one line each.
        public let problems: [String]

        /// Kills that landed while units were still pending.
        public var killsWithPending: Int { kills.filter { $0.killed && $0.finishedAtKill < total }.count }
        /// Kills that landed after the run had finished some units and before it finished all.
        public var killsMidRun: Int { kills.filter { $0.killed && $0.finishedAtKill > baseline && $0.finishedAtKill < total }.count }

        /// A summary for test messages and logs.
        public var summary: String {
            String(format: "run %.2f s, units %d before and %d after; ", runSeconds, baseline, total) + kills.map(\.description).joined(separator: "; ")
        }
    }

    /// Every manifest table but `run` (its timestamps and counts differ by design), and `work`
    /// without `updated_at` and `attempts`; rows sorted as text.
    public static func manifestRows(_ workdir: URL) throws -> [String: [String]] {
        let database = workdir.appendingPathComponent("manifest.sqlite").path
        guard FileManager.default.fileExists(atPath: database) else { return [:] }
        let names = try WorkdirSnapshot.sqlite(database, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('run', 'work') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        var tables: [String: [String]] = [:]
        for name in names { tables[name] = try WorkdirSnapshot.sqlite(database, "SELECT * FROM \"\(name)\"").sorted() }
        tables["work"] = try WorkdirSnapshot.sqlite(database, "SELECT stage, item, status, error_kind, error, output FROM work").sorted()
        return tables
    }

    /// Work rows that are no longer pending (0 before the manifest has its schema): the default measure of progress.
    public static func finishedWorkRows(_ workdir: URL) throws -> Int {
        let database = workdir.appendingPathComponent("manifest.sqlite").path
        guard FileManager.default.fileExists(atPath: database),
              try WorkdirSnapshot.sqlite(database, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'work'") == ["1"] else { return 0 }
        return Int(try WorkdirSnapshot.sqlite(database, "SELECT COUNT(*) FROM work WHERE status != 'pending'").first ?? "0") ?? 0
    }

    /// Copies `base` to a fresh scratch folder (or makes an empty one when `base` is nil).
    public static func copy(_ base: URL?, _ label: String) throws -> URL {
        let folder = TestPaths.scratchFolder(label)
        guard let base else { return folder }
        try FileManager.default.removeItem(at: folder)
        try FileManager.default.copyItem(at: base, to: folder)
        return folder
    }

    /// Runs the check. `arguments` may hold `{workdir}`, replaced by each copy's path (else
    /// `--workdir PATH` is appended). `finished` measures progress in a workdir (default: work
    /// rows no longer pending); a kill counts as landing with units pending when it is below the
    /// uninterrupted run's. Kill moments are `fractions` of the measured run length; while no kill
    /// has landed with units pending, a run that ended first is started again from the input at
    /// half the moment, and a kill that landed before the first unit finished (a long start-up:
    /// loading a model) is followed by one at the middle of the time left (up to 4 times).
    /// `resumeArguments` go to every run of the killed copy (not the uninterrupted one): stages pass
    /// `--max-crashes` there, because the kills are deliberate and not the fault of the items in
    /// flight (the poison-item rule would otherwise set an item in flight at two kills aside as
    /// `crashed` at the next start; PoisonItemTests test it).
    public static func check(_ executable: String, _ arguments: [String], base: URL?, label: String,
                             fractions: [Double] = [0.5, 0.3], resumeArguments: [String] = [],
                             finished: (URL) throws -> Int = finishedWorkRows) throws -> Outcome {
        func command(_ workdir: URL) -> [String] {
            arguments.contains { $0.contains("{workdir}") }
                ? arguments.map { $0.replacingOccurrences(of: "{workdir}", with: workdir.path) }
                : arguments + ["--workdir", workdir.path]
        }
        var problems: [String] = []
        let reference = try copy(base, label + "-reference")
        var crashed = try copy(base, label + "-killed")
        let baseline = try finished(reference)
        let clock = Date()
        let uninterrupted = try ChildProcess.run(executable, command(reference))
        let runSeconds = Date().timeIntervalSince(clock)
        if uninterrupted.status != 0 { problems.append("uninterrupted \(executable) failed: \(ChildProcess.report(uninterrupted))") }
        let total = try finished(reference)

        var kills: [Kill] = [], moments = fractions, restarts = 0
        while !moments.isEmpty {
            let fraction = moments.removeFirst()
            let delay = runSeconds * fraction
            let child = try ChildProcess(executable, command(crashed) + resumeArguments)
            Thread.sleep(forTimeInterval: delay)
            let running = child.process.isRunning
            if running { kill(child.process.processIdentifier, SIGKILL) }
            let result = child.wait()
            let bySignal = child.process.terminationReason == .uncaughtSignal && child.process.terminationStatus == SIGKILL
            if running && !bySignal && result.status != 0 {
                problems.append("\(executable) ended by itself before the kill landed: \(ChildProcess.report(result))")
            }
            let kill = Kill(fraction: fraction, delay: delay, killed: running && bySignal, finishedAtKill: try finished(crashed))
            kills.append(kill)
            if !(kill.killed && kill.finishedAtKill < total), !kills.contains(where: { $0.killed && $0.finishedAtKill < total }), restarts < 4 {
                // A sub-second run ended before its kill (run lengths vary on a loaded machine):
                // start again from the input and aim at half the moment.
                restarts += 1
                crashed = try copy(base, label + "-killed-\(restarts)")
                moments.insert(fraction / 2, at: 0)
            } else if kill.killed && kill.finishedAtKill == baseline, !kills.contains(where: { $0.killed && $0.finishedAtKill > baseline && $0.finishedAtKill < total }),
                      restarts < 4 {
                // Killed during start-up, before any unit finished: aim later, at the middle of what was left.
                restarts += 1
                moments.insert(fraction + (1 - fraction) / 2, at: 0)
            }
        }
        let resumed = try ChildProcess.run(executable, command(crashed) + resumeArguments)
        if resumed.status != 0 { problems.append("resumed \(executable) failed: \(ChildProcess.report(resumed))") }

        let expected = try WorkdirSnapshot(reference, tables: [:]).files, actual = try WorkdirSnapshot(crashed, tables: [:]).files
        if Set(actual.keys) != Set(expected.keys) {
            let missing = Set(expected.keys).subtracting(actual.keys).sorted(), extra = Set(actual.keys).subtracting(expected.keys).sorted()
            problems.append("files differ: missing \(missing.prefix(5)), extra \(extra.prefix(5))")
        }
        let differing = expected.keys.filter { actual[$0] != nil && actual[$0] != expected[$0] }.sorted()
        if !differing.isEmpty { problems.append("\(differing.count) files have other bytes, e.g. \(differing.prefix(5))") }
        let expectedRows = try manifestRows(reference), actualRows = try manifestRows(crashed)
        for table in Set(expectedRows.keys).union(actualRows.keys).sorted() where expectedRows[table] != actualRows[table] {
            let a = expectedRows[table] ?? [], b = actualRows[table] ?? []
            problems.append("table \(table): \(b.count) rows vs \(a.count) uninterrupted; first difference: "
                + "\(Set(b).subtracting(a).sorted().first ?? "-") / \(Set(a).subtracting(b).sorted().first ?? "-")")
        }
        if let leftover = actual.keys.first(where: { $0.contains(AtomicFile.temporaryPrefix) }) {
            problems.append("temporary file left behind: \(leftover)")
        }
        return Outcome(reference: reference, resumed: crashed, runSeconds: runSeconds, baseline: baseline, total: total, kills: kills, problems: problems)
    }
}
