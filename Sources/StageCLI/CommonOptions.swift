import ArgumentParser
import Foundation
import Pipeline

/// The shared option group of every stage executable (docs/CONTRACTS.md, Executables):
/// --workdir, --config, then the run flags (`RunFlags`: --jobs, --partition, --limit,
/// --retry-failed, --seed, --max-failure-rate, --progress).
public struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder holding manifest.sqlite and every output (created when missing).", valueName: "dir"))
    public var workdir: String

    @Option(name: .long, help: ArgumentHelp("Pipeline YAML whose step for this stage configures it (see Pipelines/).", valueName: "pipeline.yaml"))
    public var config: String?

    @OptionGroup public var flags: RunFlags

    public init() {}

    /// The workdir as a file URL.
    public var workdirURL: URL { URL(fileURLWithPath: workdir, isDirectory: true) }

    /// Loads the pipeline file named by --config, if any.
    public func pipeline() throws -> PipelineFile? {
        try config.map { try PipelineFile.load(path: $0) }
    }

    /// The runner options these flags describe (the seed falls back to the pipeline's).
    public func runOptions(pipeline: PipelineFile?) -> RunOptions {
        flags.runOptions(pipelineSeed: pipeline?.seed)
    }
}

/// How a stage runs, shared by every stage executable and by `cn-run`, which hands the flags it
/// was given to each step. Every flag is optional so that `cn-run` forwards only what was set.
public struct RunFlags: ParsableArguments {
    @Option(name: .long, help: "Worker threads (default: the number of cores).")
    public var jobs: Int?

    @Option(name: .long, help: ArgumentHelp("Process only items whose key hashes to I modulo N (e.g. 0/3); merge workdirs with `cn-manifest merge` (default: 0/1).", valueName: "I/N"))
    public var partition: Partition?

    @Option(name: .long, help: "Process at most this many items in this run.")
    public var limit: Int?

    @Flag(name: .long, help: "Also retry items that failed in earlier runs.")
    public var retryFailed = false

    @Option(name: .long, help: "Run seed: same inputs and seed give the same bytes (default: the pipeline's seed, else 0).")
    public var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp("Exit with status 1 when more than this fraction of the run's items fail (0-1).", valueName: "F"))
    public var maxFailureRate: Double?

    @Option(name: .long, help: "Progress bar (default: auto, a terminal only and never under CI).")
    public var progress: ProgressMode?

    @Option(name: .long, help: ArgumentHelp("Fail as `crashed` an item that was in flight when the stage process died this many times (default: 2).", valueName: "N"))
    public var maxCrashes: Int?

    public init() {}

    public mutating func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if let rate = maxFailureRate, !(0...1).contains(rate) { throw ValidationError("--max-failure-rate must be between 0 and 1") }
        if let maxCrashes, maxCrashes < 1 { throw ValidationError("--max-crashes must be at least 1") }
    }

    /// The runner options (defaults where a flag is absent; the seed falls back to `pipelineSeed`).
    public func runOptions(pipelineSeed: UInt64?) -> RunOptions {
        var options = RunOptions()
        options.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        options.partition = partition ?? .whole
        options.limit = limit
        options.retryFailed = retryFailed
        options.seed = seed ?? pipelineSeed ?? 0
        options.maxFailureRate = maxFailureRate
        options.progress = progress ?? .auto
        if let maxCrashes { options.maxCrashes = maxCrashes }
        return options
    }

    /// The flags that were set, as command-line arguments (what `cn-run` appends to each step).
    public var arguments: [String] {
        var out: [String] = []
        if let jobs { out += ["--jobs", String(jobs)] }
        if let partition { out += ["--partition", partition.description] }
        if let limit { out += ["--limit", String(limit)] }
        if retryFailed { out.append("--retry-failed") }
        if let seed { out += ["--seed", String(seed)] }
        if let maxFailureRate { out += ["--max-failure-rate", String(maxFailureRate)] }
        if let progress { out += ["--progress", progress.rawValue] }
        if let maxCrashes { out += ["--max-crashes", String(maxCrashes)] }
        return out
    }
}

extension ProgressMode: ExpressibleByArgument {}

extension Partition: ExpressibleByArgument {
    /// Parses "I/N" with 0 <= I < N.
    public init?(argument: String) { self.init(parsing: argument) }
}
