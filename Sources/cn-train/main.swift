import ArgumentParser
import Foundation
import Pipeline
import StageCLI
import Support
import Tensor
import Training

/// Flags shared by `cn-train view` and `cn-train customnet`.
struct TrainFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Workdir holding shards/{split}-NNNNNN.tar (the corpus cn-shard wrote).", valueName: "dir"))
    var workdir: String
    @Option(help: ArgumentHelp("Model preset: a name from Pipelines/train (cpu-tiny, cpu-small, sd) or a preset YAML path.", valueName: "name"))
    var preset: String?
    @Option(help: ArgumentHelp("A preset YAML file (same as --preset PATH).", valueName: "preset.yaml"))
    var config: String?
    @Option(help: "Optimizer steps to train to (overrides the preset); a resumed run continues up to it.") var steps: Int?
    @Option(help: "Samples per micro-batch (overrides the preset).") var batch: Int?
    @Option(help: "Base learning rate (overrides the preset; cc_projection / to_k_text / to_v_text train at 10x).") var lr: Float?
    @Option(help: "Run seed: data order, dropout, t and noise are all functions of (seed, step).") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Run folder (default WORKDIR/train/MODE); an existing run there is resumed.", valueName: "dir"))
    var out: String?
    @Option(name: .customLong("init"), help: ArgumentHelp(
        "Released zero123 / CustomNet checkpoint (.ckpt or .safetensors, ldm names) to start from; the sd preset takes its VAE and CLIP from it.",
        valueName: "file"))
    var initCheckpoint: String?
    @Option(help: ArgumentHelp("CLIP BPE vocabulary (bpe_simple_vocab_16e6.txt.gz) for customnet with the CLIP text encoder.", valueName: "file"))
    var vocab: String?
    @Option(name: .customLong("checkpoint-every"), help: "Write a checkpoint every N steps (and at the end).") var checkpointEvery: Int?
    @Option(help: "Gradient accumulation: micro-batches per optimizer step.") var accumulate: Int?
    @Option(help: "EMA decay of the UNet weights (e.g. 0.9999; 0 = off).") var ema: Float?
    @Option(name: .customLong("max-minutes"), help: "Stop (with a checkpoint) after this many minutes; rerun to continue.") var maxMinutes: Double?
    @Option(name: .customLong("preset-folder"), help: ArgumentHelp("Where named presets live (default: Pipelines/train of this repository).", valueName: "dir"))
    var presetFolder: String?
    @Flag(name: .customLong("verify-shards"), help: "Check every shard's sha256 against its index JSON first.") var verifyShards = false
    @Flag(name: .customLong("overfit-batch"), help: "Debug aid: train on the first batch with step 0's t, noise and dropout at every step (the loss should approach 0).")
    var overfitBatch = false
    @Flag(name: .customLong("activation-checkpointing"), inversion: .prefixedNo,
          help: "Recompute UNet block activations in the backward pass (less memory, about a third more time); default: the preset's activation_checkpointing.")
    var activationCheckpointing: Bool?
    @Flag(name: .customLong("dry-run"), help: "Build the model (and load --init), print the plan and the memory estimate, and exit.")
    var dryRun = false
    @Flag(name: .customLong("no-checkpoints"), help: "For benchmarks: write no checkpoint at all (the run cannot be resumed).")
    var noCheckpoints = false
    @Option(name: .customLong("sample-guidance"), help: "Classifier-free guidance scale of the sample grids (default 3, as zero123).")
    var sampleGuidance: Float = 3
    @Option(help: "Progress bar: auto (terminal only), always, never.") var progress: String = "auto"

    func validate() throws {
        if preset != nil && config != nil { throw ValidationError("give --preset or --config, not both") }
        if let steps, steps < 0 { throw ValidationError("--steps must be >= 0") }
        if let batch, batch < 1 { throw ValidationError("--batch must be >= 1") }
        if let accumulate, accumulate < 1 { throw ValidationError("--accumulate must be >= 1") }
        if let checkpointEvery, checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be >= 1") }
        if let lr, !(lr > 0) { throw ValidationError("--lr must be positive") }
        if let ema, !(ema >= 0 && ema < 1) { throw ValidationError("--ema must be in [0, 1)") }
        if let maxMinutes, !(maxMinutes > 0) { throw ValidationError("--max-minutes must be positive") }
        if ProgressMode(rawValue: progress) == nil { throw ValidationError("--progress must be auto, always or never") }
    }

    /// Named presets: --preset-folder, $CN_TRAIN_PRESETS, ./Pipelines/train, or the repository beside the executable.
    func resolvedPresetFolder() -> String { TrainingPreset.folder(explicit: presetFolder) }

    func run(_ mode: TrainingMode) throws {
        var options = TrainingOptions(mode: mode, workdir: workdir, preset: config ?? preset ?? "cpu-small",
                                      presetFolder: resolvedPresetFolder())
        options.steps = steps
        options.batch = batch
        options.learningRate = lr
        options.accumulate = accumulate
        options.checkpointEvery = checkpointEvery
        options.ema = ema
        options.seed = seed
        options.out = out
        options.initCheckpoint = initCheckpoint
        options.vocabulary = vocab
        options.maxMinutes = maxMinutes
        options.activationCheckpointing = activationCheckpointing
        options.verifyShards = verifyShards
        options.overfitBatch = overfitBatch
        options.dryRun = dryRun
        options.sampleGuidance = sampleGuidance
        options.noCheckpoints = noCheckpoints
        options.progress = ProgressMode(rawValue: progress) ?? .auto
        let summary = try Trainer(options: options).run()
        var line = "cn-train \(mode.rawValue): steps \(summary.startStep) -> \(summary.endStep)"
        if let first = summary.firstLoss, let last = summary.lastLoss {
            line += String(format: ", loss %.4f (mean of the first steps %.4f)", last, first)
        }
        if let v = summary.validationLoss { line += String(format: ", val %.4f", v) }
        line += String(format: ", %.2f samples/s", summary.samplesPerSecond)
        if summary.stoppedByTimeLimit { line += ", stopped by --max-minutes (rerun to continue)" }
        line += "; checkpoint \(summary.checkpoint)"
        StageMain.printLine(line)
    }
}

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view", abstract: "Train Zero-1-to-3: reference view + T -> target view.")
    @OptionGroup var flags: TrainFlags
    func run() throws { try flags.run(.view) }
}

struct CustomNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customnet", abstract: "Train CustomNet: reference + T + caption + concat image at the box -> target.")
    @OptionGroup var flags: TrainFlags
    func run() throws { try flags.run(.customnet) }
}

/// `cn-train`: the bundled trainer.
struct CNTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-train",
        abstract: "Train Zero-1-to-3 (view) or CustomNet (customnet) on the corpus's webdataset shards.",
        discussion: """
            Reads WORKDIR/shards/train-*.tar through a seeded shuffle buffer (val-*.tar for the validation \
            loss) and trains with zero123's objective: eps-prediction MSE, t uniform in 0..999, classifier-free \
            dropout (5% image embedding -> zeros before cc_projection, 5% both, 5% c_concat) plus CustomNet's 15% \
            empty caption; AdamW (cc_projection at 10x in view, to_k_text / to_v_text at 10x in customnet), \
            linear warm-up, gradient clipping, accumulation, optional EMA.

            Presets (Pipelines/train/*.yaml): cpu-tiny and cpu-small train from scratch on the CPU in pixel \
            space at reduced resolution with a small learned image encoder in place of CLIP; sd is the released \
            SD-1.x topology with the VAE and CLIP of the --init checkpoint.

            The run folder holds checkpoints/step-NNNNNN.safetensors (weights in ldm names, AdamW state per \
            parameter, EMA, step, data position), log.jsonl, loss.png and samples/step-NNNNNN.png \
            (reference | generated | target). Rerunning the same command resumes from the newest checkpoint; \
            a run killed at any moment and rerun ends with the same bytes as an uninterrupted one.

            Exit status: 0 trained (or stopped by --max-minutes), 1 could not run, 2 usage error.
            Example: cn-train view --workdir work-demo --preset cpu-small --steps 300
            """,
        subcommands: [ViewCommand.self, CustomNetCommand.self])
}

BLASKernels.useDetectedKernels()
AllocatorTuning.keepFreedMemory()
StageMain.main(CNTrain.self)
