import ArgumentParser
import Foundation
import Pipeline

/// The shared option group of every stage executable (DESIGN.md "Executables", CONTRACT):
/// --workdir, --config, --jobs, --partition, --limit, --retry-failed, --seed, plus
/// --max-failure-rate and --progress.
public struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder holding manifest.sqlite and every output (created when missing).", valueName: "dir"))
    public var workdir: String

    @Option(name: .long, help: ArgumentHelp("Pipeline YAML whose step for this stage configures it (see Pipelines/).", valueName: "pipeline.yaml"))
    public var config: String?

    @Option(name: .long, help: "Worker threads (default: the number of cores).")
    public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: ArgumentHelp("Process only items whose key hashes to I modulo N (e.g. 0/3); merge workdirs with `cn-manifest merge`.", valueName: "I/N"))
    public var partition: String = "0/1"

    @Option(name: .long, help: "Process at most this many items in this run.")
    public var limit: Int?

    @Flag(name: .long, help: "Also retry items that failed in earlier runs.")
    public var retryFailed = false

    @Option(name: .long, help: "Run seed: same inputs and seed give the same bytes (default: the pipeline's seed, else 0).")
    public var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp("Exit with status 1 when more than this fraction of the run's items fail (0-1).", valueName: "F"))
    public var maxFailureRate: Double?

    @Option(name: .long, help: "Progress bar: auto (terminal only, never under CI), always, never.")
    public var progress: String = "auto"

    public init() {}

    public mutating func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard Partition(parsing: partition) != nil else {
            throw ValidationError("--partition must look like I/N with 0 <= I < N, e.g. 0/3 (got '\(partition)')")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if let rate = maxFailureRate, !(0...1).contains(rate) { throw ValidationError("--max-failure-rate must be between 0 and 1") }
        guard ProgressMode(rawValue: progress) != nil else { throw ValidationError("--progress must be auto, always or never") }
    }

    /// The workdir as a file URL.
    public var workdirURL: URL { URL(fileURLWithPath: workdir, isDirectory: true) }

    /// Loads the pipeline file named by --config, if any.
    public func pipeline() throws -> PipelineFile? {
        try config.map { try PipelineFile.load(path: $0) }
    }

    /// The runner options these flags describe (the seed falls back to the pipeline's).
    public func runOptions(pipeline: PipelineFile?) -> RunOptions {
        var options = RunOptions()
        options.jobs = jobs
        options.partition = Partition(parsing: partition) ?? .whole
        options.limit = limit
        options.retryFailed = retryFailed
        options.seed = seed ?? pipeline?.seed ?? 0
        options.maxFailureRate = maxFailureRate
        options.progress = ProgressMode(rawValue: progress) ?? .auto
        return options
    }
}
