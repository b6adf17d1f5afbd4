// `cn-eval pose-check` (issue 12): a corpus audit. The model's denoising loss (zero123's eps MSE,
// TrainingModel.evaluationLoss: full conditioning, no dropout) on samples with their recorded T
// against the same samples with T taken from another sample (a seeded derangement), with the same
// noise and the same t. A model that learned to use the poses, on a corpus whose poses are right,
// has a lower loss with the recorded T: the gap (shuffled - recorded) is positive and its bootstrap
// interval excludes 0. Wrong poses, or a model that ignores them, show no gap.
import Foundation
import Shards
import Support
import Tensor
import Training

/// What pose-check measures.
public struct PoseCheckOptions: Sendable {
    /// The workdir whose `shards/{split}-*.tar` are read, and the split (zero123 validates on val).
    public var workdir: String, split: String
    /// Noise / t draws per sample (the loss of a sample is their mean).
    public var draws: Int
    /// At most this many samples (shard order), or all.
    public var limit: Int?
    /// Seed of the draws and of the derangement.
    public var seed: UInt64
    /// Bootstrap of the intervals.
    public var bootstrap: Bootstrap

    /// Options.
    public init(workdir: String, split: String = "val", draws: Int = 8, limit: Int? = nil, seed: UInt64 = 0, bootstrap: Bootstrap = Bootstrap()) {
        self.workdir = workdir
        self.split = split
        self.draws = draws
        self.limit = limit
        self.seed = seed
        self.bootstrap = bootstrap
    }
}

/// Runs pose-check.
public enum PoseCheck {
    /// The samples of a split from its shards, decoded at `size`, with a line per undecodable one.
    public static func samples(workdir: String, split: String, size: Int, limit: Int?) throws -> (samples: [TrainingSample], errors: [ReportItem]) {
        let shards = try ShardSet(folder: workdir + "/shards", split: split)
        var samples: [TrainingSample] = [], errors: [ReportItem] = []
        for path in shards.paths {
            let reader = try WebDatasetReader(path: path)
            while limit.map({ samples.count < $0 }) ?? true, let raw = reader.next() {
                do { samples.append(try TrainingSample(raw, size: size)) } catch { errors.append(ReportItem(id: raw.key, error: "\(error)")) }
            }
        }
        return (samples, errors)
    }

    /// A seeded permutation without fixed points (n >= 2): i takes the pose of `order[i]`.
    public static func derangement(_ n: Int, seed: UInt64) -> [Int] {
        guard n > 1 else { return Array(0..<n) }
        var random = SeededRandom(runSeed: seed, stage: "cn-eval-pose-check", item: "derangement")
        var cycle = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { cycle.swapAt(i, random.integer(below: i + 1)) }
        var order = [Int](repeating: 0, count: n)
        for k in 0..<n { order[cycle[k]] = cycle[(k + 1) % n] }
        return order
    }

    /// The per-sample losses with recorded and shuffled T, and their gap; the report ranks by gap.
    public static func run(_ options: PoseCheckOptions, model: TrainingModel,
                           progress: (String) -> Void = { _ in }) throws -> (report: EvaluationReport, images: [String: (MetricImage, MetricImage)]) {
        let (samples, errors) = try samples(workdir: options.workdir, split: options.split, size: model.preset.imageSize, limit: options.limit)
        guard samples.count >= 2 else {
            throw EvaluationError(.badInput, "pose-check needs at least 2 \(options.split) samples in \(options.workdir)/shards (found \(samples.count))")
        }
        let order = derangement(samples.count, seed: options.seed)
        var items = errors
        var images: [String: (MetricImage, MetricImage)] = [:]
        for (i, sample) in samples.enumerated() {
            var shuffled = sample
            shuffled.pose = samples[order[i]].pose
            var recordedLoss = 0.0, shuffledLoss = 0.0
            for k in 0..<options.draws {
                var draws = model.draws(seed: options.seed, step: i, micro: k, batch: 1)
                draws.dropout = [1]
                draws.emptyCaption = [false]
                recordedLoss += Double(try model.evaluationLoss(TrainingBatch([sample]), draws: draws))
                shuffledLoss += Double(try model.evaluationLoss(TrainingBatch([shuffled]), draws: draws))
            }
            recordedLoss /= Double(options.draws)
            shuffledLoss /= Double(options.draws)
            items.append(ReportItem(id: sample.key, extra: ["pose_from": samples[order[i]].key],
                                    numbers: ["loss_recorded": recordedLoss, "loss_shuffled": shuffledLoss, "gap": shuffledLoss - recordedLoss]))
            images[sample.key] = (try image(sample.reference), try image(sample.target))
            if (i + 1) % 10 == 0 || i + 1 == samples.count { progress("pose-check: \(i + 1) of \(samples.count) samples") }
        }
        var report = EvaluationReport(
            items: items, bootstrap: options.bootstrap,
            notComputed: Dictionary(uniqueKeysWithValues: Metric.allCases.map { ($0, "pose-check measures denoising losses, not image metrics") }),
            inputs: ["workdir": options.workdir, "split": options.split, "draws_per_sample": String(options.draws),
                     "images": "reference | target of each sample"])
        report.rankingNumber = "gap"
        let gap = report.numberAggregates["gap"]
        let detected = gap.map { $0.lower > 0 } ?? false
        report.extraJSON = [("pose_check", "{\"recorded\": \(report.numberAggregates["loss_recorded"].map(ReportJSON.interval) ?? "null"), "
                             + "\"shuffled\": \(report.numberAggregates["loss_shuffled"].map(ReportJSON.interval) ?? "null"), "
                             + "\"gap\": \(gap.map(ReportJSON.interval) ?? "null"), \"gap_detected\": \(detected)}")]
        return (report, images)
    }

    /// [3, S, S] in [-1, 1] as 8-bit RGB.
    static func image(_ t: Tensor) throws -> MetricImage {
        try TrainedViewSampling.image(t.reshaped([1] + t.shape))
    }
}
