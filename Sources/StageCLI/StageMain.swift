import ArgumentParser
import Foundation
import Manifest
import Pipeline
import Support

/// Runs a stage from its executable: opens the workdir's manifest, builds the context from the
/// shared options, runs the `StageRunner`, prints the one-line summary, and exits with the
/// statuses of DESIGN.md (0 ran, 1 could not run or too many failures, 2 usage, 128+N on signal N).
public enum StageMain {
    /// Runs `stage` with the parsed common options; throws `ExitCode` for non-zero statuses.
    public static func run(_ stage: any Stage, executable: String, options: CommonOptions) throws {
        StopSignal.install()
        let pipeline = try options.pipeline()
        let runOptions = options.runOptions(pipeline: pipeline)
        let manifest = try ManifestStore.open(workdir: options.workdirURL)
        let context = StageContext(
            workdir: options.workdirURL, seed: runOptions.seed,
            configYAML: pipeline?.configYAML(forStage: stage.name) ?? "", manifest: manifest)
        let invocation = RunLog.Invocation(
            executable: executable, stage: stage.name, arguments: CommandLine.arguments,
            configHash: pipeline?.hash, seed: runOptions.seed, partition: runOptions.partition.description,
            jobs: runOptions.jobs)
        let summary = try StageRunner(stage: stage, context: context, options: runOptions, invocation: invocation).run()
        printLine(summary.line)
        if summary.exitStatus != 0 { throw ExitCode(summary.exitStatus) }
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
