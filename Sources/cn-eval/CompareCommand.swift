import ArgumentParser
import Evaluation
import Foundation
import StageCLI

/// `cn-eval compare --predictions DIR --targets DIR --out DIR [weights ...]`.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Score images made anywhere else against targets, paired by file name without extension.",
        discussion: """
            Images are PNG or JPEG; transparency is composited over white. A prediction without a \
            target (or a target without a prediction, or two files of one id) is an item error, \
            listed in the report; the command still exits 0. Network weights: LPIPS needs both \
            torchvision's AlexNet (.pth, features.*) and lpips' alex.pth heads; CLIP takes OpenAI \
            or transformers CLIPModel state dicts or zero123 / CustomNet checkpoints (repeat --clip \
            to combine files); CLIP-T also needs --clip-vocab and --prompts; DINO takes \
            dino_deitsmall16_pretrain.pth.
            """)

    @Option(help: ArgumentHelp("Folder of predicted images.", valueName: "dir"))
    var predictions: String

    @Option(help: ArgumentHelp("Folder of target images (same file names).", valueName: "dir"))
    var targets: String

    @Option(help: ArgumentHelp("Report folder (created when missing).", valueName: "dir"))
    var out: String

    @OptionGroup var weights: MetricWeightOptions

    @Option(help: ArgumentHelp("Prompts for CLIP-T: JSON {id: prompt} or lines id<TAB>prompt.", valueName: "file"))
    var prompts: String?

    @Option(help: ArgumentHelp("A baseline scored on the same targets, NAME=DIR (repeatable), e.g. reference_copy=refs/.", valueName: "name=dir"))
    var baseline: [String] = []

    @Option(help: "Bootstrap resamples for the 95% intervals.")
    var resamples: Int = 1000

    @Option(help: "Bootstrap seed.")
    var seed: UInt64 = 0

    func validate() throws {
        for b in baseline where b.split(separator: "=", maxSplits: 1).count != 2 {
            throw ValidationError("--baseline takes NAME=DIR, got '\(b)'")
        }
        if resamples < 1 { throw ValidationError("--resamples must be at least 1") }
    }

    func run() throws {
        let started = Date()
        let networks = try weights.networks()
        let options = CompareOptions(
            predictions: predictions, targets: targets,
            baselines: baseline.map { b in
                let parts = b.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), String(parts[1]))
            },
            prompts: try prompts.map(CompareEvaluation.readPrompts) ?? [:],
            bootstrap: Bootstrap(resamples: resamples, seed: seed))
        let (report, images) = try CompareEvaluation.run(options, scorer: PairScorer(networks: networks)) { line in
            FileHandle.standardError.write(Data("cn-eval: \(line)\n".utf8))
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try CompareEvaluation.write(report, images: images, to: out)
        let errors = report.items.count - report.scoredItems.count
        var summary = "cn-eval compare: \(report.scoredItems.count) scored, \(errors) item error(s)"
        for m in Metric.allCases {
            if let a = report.aggregate[m] { summary += String(format: ", %@ %.4f", m.rawValue, a.mean) }
        }
        summary += String(format: " in %.1fs; wrote %@/report.{json,csv,html}", Date().timeIntervalSince(started), out)
        StageMain.printLine(summary)
    }
}
