import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Runs a pipeline's steps in order as child processes (`cn-run`), each a stage executable that
/// resumes by itself: re-running a pipeline after a crash skips finished items quickly.
public struct PipelineRunner {
    /// The pipeline to run.
    public let pipeline: PipelineFile
    /// Path of the pipeline file, passed to every stage as --config.
    public let pipelinePath: String
    /// The workdir.
    public let workdir: URL
    /// Extra shared flags for every stage (e.g. --jobs 2, --seed 7, --progress never).
    public let sharedFlags: [String]
    /// Folder holding the stage executables (normally cn-run's own folder).
    public let executablesFolder: URL
    /// The folder `{shared}` names: inputs that helper steps build once and every partition reads
    /// (the workdir unless `cn-run --shared` says otherwise).
    public let shared: URL

    /// Creates a runner; `shared` defaults to the workdir.
    public init(pipeline: PipelineFile, pipelinePath: String, workdir: URL, sharedFlags: [String], executablesFolder: URL, shared: URL? = nil) {
        self.pipeline = pipeline
        self.pipelinePath = pipelinePath
        self.workdir = workdir
        self.sharedFlags = sharedFlags
        self.executablesFolder = executablesFolder
        self.shared = shared ?? workdir
    }

    /// The command line of one step, with `{workdir}` and `{shared}` expanded and the shared flags appended.
    public func commandLine(for step: PipelineFile.Step) -> [String] {
        guard let first = step.command.first else { return [] }
        let local = executablesFolder.appendingPathComponent(first).path
        let executable = FileManager.default.isExecutableFile(atPath: local) ? local : first
        var arguments = step.command.dropFirst().map {
            $0.replacingOccurrences(of: "{workdir}", with: workdir.path).replacingOccurrences(of: "{shared}", with: shared.path)
        }
        if step.takesCommonFlags {
            arguments += ["--workdir", workdir.path, "--config", pipelinePath] + sharedFlags
        }
        return [executable] + arguments
    }

    /// Runs the selected steps; returns the exit status of the first failing step, or 0. With
    /// `StopSignal` installed, a SIGTERM to cn-run is passed on to the running step (which
    /// stops within its grace and exits 143) and no further step starts; a SIGINT from the
    /// terminal reaches the step by itself (same process group) and is not sent twice.
    public func run(steps selected: [PipelineFile.Step], log: (String) -> Void) throws -> Int32 {
        for (index, step) in selected.enumerated() {
            if StopSignal.pending != 0 {
                log("stopped by signal \(StopSignal.pending) before step '\(step.stage)'; run cn-run again to resume")
                return 128 + StopSignal.pending
            }
            let command = commandLine(for: step)
            guard !command.isEmpty else { throw ConfigError(message: "step '\(step.stage)' has no `run:` command") }
            log("[\(index + 1)/\(selected.count)] \(step.stage): \(command.joined(separator: " "))")
            let process = Process()
            if command[0].contains("/") {
                process.executableURL = URL(fileURLWithPath: command[0])
                process.arguments = Array(command.dropFirst())
            } else {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = command
            }
            do { try process.run() } catch {
                throw ConfigError(message: "cannot start \(command[0]) for step '\(step.stage)': \(error.localizedDescription)")
            }
            var forwarded = false
            while process.isRunning {
                if StopSignal.pending == SIGTERM && !forwarded {
                    kill(process.processIdentifier, SIGTERM)
                    forwarded = true
                }
                usleep(20_000)
            }
            process.waitUntilExit()
            let killed = process.terminationReason == .uncaughtSignal
            let status = killed ? 128 + process.terminationStatus : process.terminationStatus
            if status != 0 {
                let how = killed ? "was killed by signal \(process.terminationStatus) (\(Self.signalName(process.terminationStatus))), exit status \(status)"
                    : "stopped with exit status \(status)"
                log("step '\(step.stage)' \(how); fix the cause and run cn-run again: finished items are not redone")
                return status
            }
        }
        return 0
    }

    /// The C library's description of signal `number` ("Aborted", "Killed", ...).
    static func signalName(_ number: Int32) -> String {
        strsignal(number).map { String(cString: $0) } ?? "signal \(number)"
    }
}
