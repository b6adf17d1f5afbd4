import ArgumentParser
import Evaluation
import Foundation
import StageCLI
import Training

/// DDIM options of the generating subcommands.
struct SamplerOptions: ParsableArguments {
    @Option(help: "DDIM steps (ldm's count: N steps = N - 1 updates).")
    var steps: Int = 50

    @Option(help: "Classifier-free guidance scale.")
    var guidance: Double = 3.0

    @Option(name: .customLong("model-config"), help: ArgumentHelp("Released checkpoints: zero123's ldm YAML (default: zero123's).", valueName: "file"))
    var modelConfig: String?

    func validate() throws {
        if steps < 2 { throw ValidationError("--steps must be at least 2") }
    }
}

/// Shared run of `views` and `customize`.
enum GenerationCommand {
    static func run(_ task: GenerationEvaluation.Task, checkpoint options: CheckpointOptions, sampler: SamplerOptions,
                    weights: MetricWeightOptions, split: String) throws {
        let started = Date()
        let settings = SamplerSettings(steps: sampler.steps, eta: 0, guidanceScale: sampler.guidance, seed: options.seed)
        let file: String, sampling: any ViewGenerating
        if TrainedViewGenerator.isTrainingCheckpoint(options.checkpoint) {
            file = try options.checkedCheckpoint()
            sampling = TrainedViewSampling(generator: try options.generator(), sampler: settings)
        } else {
            guard task == .views else {
                throw EvaluationError(.badInput, "customize samples cn-train CustomNet checkpoints; for a released CustomNet checkpoint use cn-model sample --prompt and cn-eval compare")
            }
            file = options.checkpoint
            sampling = try ReleasedViewSampling(checkpoint: file, modelConfig: sampler.modelConfig, ema: options.ema, sampler: settings)
        }
        let digest = try CheckpointDigest.sha256(of: file)
        let scorer = PairScorer(networks: try weights.networks())
        var (report, images) = try GenerationEvaluation.run(
            task, options: GenerationEvaluationOptions(workdir: options.workdir, split: split,
                                                       bootstrap: Bootstrap(resamples: options.resamples, seed: options.seed), limit: options.limit),
            sampling: sampling, scorer: scorer) { line in FileHandle.standardError.write(Data("cn-eval: \(line)\n".utf8)) }
        report.checkpointSHA256 = digest
        report.samplerJSON = settings.json
        report.inputs["checkpoint"] = file
        let out = options.outFolder(task.rawValue)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try CompareEvaluation.write(report, images: images, to: out)
        StageMain.printLine(Summary.line("cn-eval \(task.rawValue)", report, seconds: Date().timeIntervalSince(started), out: out))
    }
}

/// `cn-eval views --checkpoint C --workdir W --split test [--out DIR]`.
struct ViewsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "views",
        abstract: "Generate each held-out pair's target view from its reference and T, and score it against the true target.",
        discussion: """
            Pairs with a true target: Objaverse samples (the target view's plain render) and Open Images \
            fixture objects with known meshes (the object cut out of its photo). Baselines on the same \
            items: reference_copy (the reference as the prediction) and exact_render (fixture objects: the \
            mesh rendered at the target pose). Scored at the model's resolution.
            """)

    @OptionGroup var checkpoint: CheckpointOptions
    @Option(help: "The split to evaluate.") var split = "test"
    @OptionGroup var sampler: SamplerOptions
    @OptionGroup var weights: MetricWeightOptions

    func run() throws { try GenerationCommand.run(.views, checkpoint: checkpoint, sampler: sampler, weights: weights, split: split) }
}

/// `cn-eval customize --checkpoint C --workdir W`.
struct CustomizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customize",
        abstract: "CustomNet generations from reference, pose, box and caption, scored for identity (DINO-I, CLIP-I) and text (CLIP-T).",
        discussion: """
            Identity metrics compare each generation with its reference view, CLIP-T with its caption, \
            and PSNR / SSIM with the sample's scene target. Baselines: reference_copy and target (the \
            scene target as the prediction).
            """)

    @OptionGroup var checkpoint: CheckpointOptions
    @Option(help: "The split to evaluate.") var split = "test"
    @OptionGroup var sampler: SamplerOptions
    @OptionGroup var weights: MetricWeightOptions

    func run() throws { try GenerationCommand.run(.customize, checkpoint: checkpoint, sampler: sampler, weights: weights, split: split) }
}
