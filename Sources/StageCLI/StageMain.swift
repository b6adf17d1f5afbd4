import ArgumentParser
import Foundation
import Manifest
import Pipeline
import Support

/// Runs a stage from its executable: opens the workdir's manifest, builds the context from the
/// shared options, runs the `StageRunner`, prints the one-line summary, and exits with the
/// statuses of docs/CONTRACTS.md (0 ran, 1 could not run or too many failures, 2 usage, 128+N on signal N).
public enum StageMain {
    /// Runs `stage` with the parsed common options; throws `ExitCode` for non-zero statuses.
    /// `settings` (the effective configuration of each step the stage reads, by step name) is
    /// stored with the run. Only a stage that `createsWorkdir` (ingest) starts a new workdir; any
    /// other stops with one line when the workdir has no manifest (a mistyped --workdir).
    public static func run(_ stage: any Stage, executable: String, options: CommonOptions, settings: [String: any Encodable] = [:],
                           createsWorkdir: Bool = false) throws {
        StopSignal.install()
        let pipeline = try options.pipeline()
        let runOptions = options.runOptions(pipeline: pipeline)
        let manifest = createsWorkdir
            ? try ManifestStore.open(workdir: options.workdirURL) : try ManifestStore.openExisting(workdir: options.workdirURL)
        let context = StageContext(
            workdir: options.workdirURL, seed: runOptions.seed,
            configYAML: pipeline?.configYAML(forStage: stage.name) ?? "", manifest: manifest)
        let invocation = RunLog.Invocation(
            executable: executable, stage: stage.name, arguments: CommandLine.arguments,
            configHash: pipeline?.hash, seed: runOptions.seed, partition: runOptions.partition.description,
            jobs: runOptions.jobs, config: StageConfig.json(steps: settings))
        let summary = try StageRunner(stage: stage, context: context, options: runOptions, invocation: invocation).run()
        printLine(summary.line)
        if summary.exitStatus != 0 { throw ExitCode(summary.exitStatus) }
    }

    /// Runs a job that is not an item stage (shard, export, train, eval) over an existing workdir,
    /// recorded like a stage in the `run` table: its row is opened before `body` runs and closed
    /// with exit status 0, or 1 when `body` throws (the error is rethrown).
    public static func runJob(
        stage: String, executable: String, options: CommonOptions, pipeline: PipelineFile?,
        settings: [String: any Encodable] = [:], _ body: (ManifestStore) throws -> Void
    ) throws {
        let manifest = try ManifestStore.openExisting(workdir: options.workdirURL)
        let runOptions = options.runOptions(pipeline: pipeline)
        let invocation = RunLog.Invocation(
            executable: executable, stage: stage, arguments: CommandLine.arguments, configHash: pipeline?.hash,
            seed: runOptions.seed, partition: runOptions.partition.description, jobs: runOptions.jobs,
            config: StageConfig.json(steps: settings))
        let runID = try manifest.write { db in try RunLog.start(db, invocation, now: Timestamp.now()) }
        do {
            try body(manifest)
            try manifest.write { db in try RunLog.finish(db, run: runID, exitStatus: 0, pending: 0, now: Timestamp.now()) }
        } catch {
            try? manifest.write { db in try RunLog.finish(db, run: runID, exitStatus: 1, pending: 0, now: Timestamp.now()) }
            throw error
        }
    }

    /// The entry point of every executable: parses arguments and maps every error to one line on
    /// stderr and the design's exit status (usage errors 2, anything that stops the run 1).
    public static func main<Command: ParsableCommand>(_ command: Command.Type, arguments: [String]? = nil) -> Never {
        do {
            var parsed = try command.parseAsRoot(arguments)
            try parsed.run()
            exit(0)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = command.exitCode(for: error)
            if code == .success {
                command.exit(withError: error)
            }
            if code == .validationFailure {
                FileHandle.standardError.write(Data((command.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            let name = (CommandLine.arguments.first as NSString?)?.lastPathComponent ?? "cn"
            FileHandle.standardError.write(Data("\(name): error: \(oneLine(error))\n".utf8))
            exit(1)
        }
    }

    /// Prints a line to stdout and flushes it (summaries must reach logs even if the process is killed next).
    public static func printLine(_ text: String) {
        print(text)
        fflush(nil)
    }
}
