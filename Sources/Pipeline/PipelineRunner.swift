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

    /// Creates a runner.
    public init(pipeline: PipelineFile, pipelinePath: String, workdir: URL, sharedFlags: [String], executablesFolder: URL) {
        self.pipeline = pipeline
        self.pipelinePath = pipelinePath
        self.workdir = workdir
        self.sharedFlags = sharedFlags
        self.executablesFolder = executablesFolder
    }

    /// The command line of one step, with `{workdir}` expanded and the shared flags appended.
    public func commandLine(for step: PipelineFile.Step) -> [String] {
        guard let first = step.command.first else { return [] }
        let local = executablesFolder.appendingPathComponent(first).path
        let executable = FileManager.default.isExecutableFile(atPath: local) ? local : first
        var arguments = step.command.dropFirst().map { $0.replacingOccurrences(of: "{workdir}", with: workdir.path) }
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
            let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
            if status != 0 {
                log("step '\(step.stage)' stopped with exit status \(status); fix the cause and run cn-run again: finished items are not redone")
                return status
            }
        }
        return 0
    }
}
