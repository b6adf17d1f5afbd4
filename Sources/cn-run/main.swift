import ArgumentParser
import Foundation
import Pipeline
import StageCLI

/// `cn-run PIPELINE.yaml --workdir DIR`: runs a pipeline's stages in order, resumably.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-run",
        abstract: "Run the steps of a pipeline YAML in order, each as its stage executable, resumably.",
        discussion: """
            Every step runs as a child process with --workdir, --config and the flags below. A killed \
            or failed run can simply be started again: each stage skips the items its manifest rows \
            mark done. Use --from / --to / --only to run part of a pipeline, --dry-run to print the commands.
            """)

    @Argument(help: "The pipeline file (see Pipelines/).")
    var pipeline: String

    @Option(help: ArgumentHelp("Folder holding manifest.sqlite and every output.", valueName: "dir"))
    var workdir: String

    @OptionGroup(title: "Run flags, handed to every stage step")
    var flags: RunFlags

    @Option(help: "Start at this stage.")
    var from: String?

    @Option(help: "Stop after this stage (inclusive).")
    var to: String?

    @Option(help: "Run only this stage.")
    var only: String?

    @Option(help: "Skip this stage (repeatable), e.g. --skip shard in a cluster task that shards after the merge.")
    var skip: [String] = []

    @Option(help: "Run the helper steps (`common: false`, e.g. fixtures): run, only, or skip them.")
    var helpers: HelperSteps = .run

    @Option(help: ArgumentHelp("The folder `{shared}` names in step arguments: inputs built once that every partition reads (default: the workdir).", valueName: "dir"))
    var shared: String?

    @Flag(help: "Print the commands without running them.")
    var dryRun = false

    func run() throws {
        let file = try PipelineFile.load(path: pipeline)
        try StepSettings.validate(file)
        var steps = file.steps
        if let from {
            guard let start = steps.firstIndex(where: { $0.stage == from }) else { throw ValidationError("no step named '\(from)' in \(pipeline)") }
            steps = Array(steps[start...])
        }
        if let to {
            guard let end = steps.firstIndex(where: { $0.stage == to }) else { throw ValidationError("no step named '\(to)' in \(pipeline)") }
            steps = Array(steps[...end])
        }
        if let only {
            steps = steps.filter { $0.stage == only }
            guard !steps.isEmpty else { throw ValidationError("no step named '\(only)' in \(pipeline)") }
        }
        for name in skip where !file.steps.contains(where: { $0.stage == name }) {
            throw ValidationError("no step named '\(name)' in \(pipeline)")
        }
        steps = helpers.select(steps).filter { !skip.contains($0.stage) }
        if shared != nil, let step = file.steps.first(where: { !$0.takesCommonFlags && $0.command.contains { $0.contains("{workdir}") } }) {
            throw ConfigError(message: "step '\(step.stage)' is a helper step writing under {workdir}; with --shared it must write under {shared}, the folder every partition reads")
        }
        let sharedFlags = flags.arguments
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let runner = PipelineRunner(
            pipeline: file, pipelinePath: URL(fileURLWithPath: pipeline).path,
            workdir: URL(fileURLWithPath: workdir), sharedFlags: sharedFlags,
            executablesFolder: own.path == "." ? URL(fileURLWithPath: FileManager.default.currentDirectoryPath) : own,
            shared: shared.map { URL(fileURLWithPath: $0) })
        if dryRun {
            for step in steps { print(runner.commandLine(for: step).joined(separator: " ")) }
            return
        }
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        let started = Date()
        StopSignal.install()
        let status = try runner.run(steps: steps) { StageMain.printLine("cn-run: " + $0) }
        if status != 0 { throw ExitCode(status == 2 ? 1 : status) }
        StageMain.printLine("cn-run: pipeline '\(file.name)' finished \(steps.count) step(s) in " + String(format: "%.1fs", Date().timeIntervalSince(started)))
    }
}

StageMain.main(RunCommand.self)
