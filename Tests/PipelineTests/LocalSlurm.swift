import Foundation
import TestSupport

/// The one-node Slurm on localhost that scripts/cluster/local-slurm starts, and the commands the
/// cluster tests give it: scripts run with its SLURM_CONF and this build's executables as CN_BIN.
struct LocalSlurm {
    /// The configuration file the daemons and commands share.
    let configuration = "/tmp/cn-local-slurm/slurm.conf"
    /// Whether the daemons were already running before `start` (then the test leaves them running).
    let wasRunning: Bool

    /// The environment of every command: this configuration and this build's products.
    var environment: [String: String] {
        ["SLURM_CONF": configuration, "CN_BIN": TestPaths.productsFolder.path]
    }

    /// Starts the daemons (or finds them running); throws with the script's own message when Slurm
    /// cannot start, so that the test fails saying why.
    static func start() throws -> LocalSlurm {
        let probe = LocalSlurm(wasRunning: false)
        let running = (try? probe.run(["sinfo", "-h"]).status) == 0
        let started = try probe.run([script("local-slurm"), "start"])
        guard started.status == 0 else {
            throw SlurmError(message: "a one-node Slurm could not start on localhost (scripts/cluster/local-slurm start, exit \(started.status)): "
                + started.output.trimmingCharacters(in: .whitespacesAndNewlines) + "; install slurm-wlm and munge with scripts/setup")
        }
        return LocalSlurm(wasRunning: running)
    }

    /// Stops the daemons if `start` started them.
    func stopIfStarted() {
        if !wasRunning { _ = try? run([Self.script("local-slurm"), "stop"]) }
    }

    /// A script of scripts/cluster.
    static func script(_ name: String) -> String {
        TestPaths.repositoryRoot.appendingPathComponent("scripts/cluster/\(name)").path
    }

    /// Runs a command (on PATH) with this Slurm's environment; returns its status and its stdout and
    /// stderr together. Through system(3), which waits for exactly its own child: Foundation's
    /// Process was seen to miss the exit of `local-slurm start` once it had started daemons.
    @discardableResult
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cn-slurm-\(getpid())-\(UUID().uuidString.prefix(8)).out")
        defer { try? FileManager.default.removeItem(at: log) }
        let quote = { (text: String) in "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(quote($0.value))" }
        let command = (["env"] + variables + arguments.map(quote)).joined(separator: " ") + " </dev/null >\(quote(log.path)) 2>&1"
        let raw = system(command)
        guard raw != -1 else { throw SlurmError(message: "cannot run \(arguments.joined(separator: " ")): errno \(errno)") }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return ((raw >> 8) & 0xff, output)
    }

    /// The job ids still queued or running (an array job by its base id, %F, while any task is).
    func queuedJobs() throws -> Set<String> {
        let result = try run(["squeue", "-h", "-o", "%F"])
        guard result.status == 0 else { throw SlurmError(message: "squeue failed: \(result.output)") }
        return Set(result.output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// Waits until none of `jobs` is queued or running, polling; throws after `seconds`.
    func waitUntilFinished(_ jobs: Set<String>, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !queuedJobs().isDisjoint(with: jobs) {
            guard Date() < deadline else {
                let queue = (try? run(["squeue"]).output) ?? ""
                throw SlurmError(message: "jobs \(jobs.sorted()) still queued after \(Int(seconds)) s:\n\(queue)")
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }
}

/// Why the local Slurm could not be used.
struct SlurmError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
