import ArgumentParser
import Evaluation
import Foundation
import StageCLI

/// `cn-eval pose-check --checkpoint C --workdir W`.
struct PoseCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pose-check",
        abstract: "Corpus audit: the model's denoising loss with the recorded T against shuffled T (same noise, same t).",
        discussion: """
            A positive gap (shuffled - recorded) whose 95% interval excludes 0 means the model uses the \
            poses and they agree with the images; no gap means wrong poses or a model that ignores them.
            """)

    @OptionGroup var checkpoint: CheckpointOptions
    @Option(help: "The split whose shards are read.") var split = "val"
    @Option(help: "Noise and t draws per sample.") var draws = 8

    func validate() throws {
        if draws < 1 { throw ValidationError("--draws must be at least 1") }
    }

    func run() throws {
        let started = Date()
        let file = try checkpoint.checkedCheckpoint()
        let digest = try CheckpointDigest.sha256(of: file)
        let model = try checkpoint.model()
        var (report, images) = try PoseCheck.run(
            PoseCheckOptions(workdir: checkpoint.workdir, split: split, draws: draws, limit: checkpoint.limit, seed: checkpoint.seed,
                             bootstrap: Bootstrap(resamples: checkpoint.resamples, seed: checkpoint.seed)),
            model: model) { line in FileHandle.standardError.write(Data("cn-eval: \(line)\n".utf8)) }
        report.checkpointSHA256 = digest
        report.inputs["checkpoint"] = file
        let out = checkpoint.outFolder("pose-check")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try CompareEvaluation.write(report, images: images, to: out)
        var line = "cn-eval pose-check: \(report.scoredItems.count) samples"
        for key in ["loss_recorded", "loss_shuffled", "gap"] {
            if let a = report.numberAggregates[key] { line += String(format: ", %@ %.5f [%.5f, %.5f]", key, a.mean, a.lower, a.upper) }
        }
        let detected = (report.numberAggregates["gap"]?.lower ?? 0) > 0
        line += detected ? "; gap detected" : "; no gap"
        StageMain.printLine(line + String(format: " in %.1fs; wrote %@/report.{json,csv,html}", Date().timeIntervalSince(started), out))
    }
}
