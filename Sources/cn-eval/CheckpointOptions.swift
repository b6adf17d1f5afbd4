import ArgumentParser
import Evaluation
import Foundation
import Training

/// The checkpoint, workdir and report options of `views`, `customize` and `pose-check`.
struct CheckpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A cn-train checkpoint (RUN/checkpoints/step-N.safetensors, or a run folder: its newest); views also takes released zero123 checkpoints.", valueName: "path"))
    var checkpoint: String

    @Option(help: ArgumentHelp("The workdir (manifest.sqlite, shards/).", valueName: "dir"))
    var workdir: String

    @Option(help: ArgumentHelp("Report folder (default WORKDIR/eval/SUBCOMMAND).", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Override the preset the checkpoint records (name or YAML path; pose-check only, and for checkpoints without preset_yaml).", valueName: "preset"))
    var preset: String?

    @Option(name: .customLong("preset-folder"), help: ArgumentHelp("Folder of named presets (default $CN_TRAIN_PRESETS, ./Pipelines/train, or the repository's).", valueName: "dir"))
    var presetFolder: String?

    @Flag(help: "Use the checkpoint's EMA weights for the UNet.")
    var ema = false

    @Option(name: .customLong("frozen-parts"), help: ArgumentHelp("The sd preset: the released checkpoint it was trained from (frozen VAE and CLIP).", valueName: "file"))
    var frozenParts: String?

    @Option(help: ArgumentHelp("CLIP BPE vocabulary (sd preset, customnet).", valueName: "file"))
    var vocab: String?

    @Option(help: "At most this many items.")
    var limit: Int?

    @Option(help: "Bootstrap resamples for the 95% intervals.")
    var resamples: Int = 1000

    @Option(help: "Seed of the sampling noise (or pose-check's draws) and of the bootstrap.")
    var seed: UInt64 = 0

    func validate() throws {
        if resamples < 1 { throw ValidationError("--resamples must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    /// The report folder for `subcommand`.
    func outFolder(_ subcommand: String) -> String { out ?? workdir + "/eval/" + subcommand }

    /// Named presets: --preset-folder, $CN_TRAIN_PRESETS, ./Pipelines/train, or the repository beside the executable.
    func resolvedPresetFolder() -> String { TrainingPreset.folder(explicit: presetFolder) }

    /// The checkpoint's training model (pose-check).
    func model() throws -> TrainingModel {
        try TrainedCheckpoint.load(try checkedCheckpoint(), presetFolder: resolvedPresetFolder(), preset: preset, ema: ema,
                                   frozenParts: frozenParts, vocabulary: vocab)
    }

    /// The checkpoint's generator (views, customize).
    func generator() throws -> TrainedViewGenerator {
        try TrainedViewGenerator(checkpoint: try checkedCheckpoint(), ema: ema, frozenParts: frozenParts, vocabulary: vocab)
    }

    /// The checkpoint file; anything that is not a cn-train checkpoint is refused with a one-line reason.
    func checkedCheckpoint() throws -> String {
        guard TrainedViewGenerator.isTrainingCheckpoint(checkpoint) else {
            throw EvaluationError(.badInput, "\(checkpoint) is not a cn-train checkpoint (released zero123 checkpoints: cn-eval views; released CustomNet: cn-model sample and cn-eval compare)")
        }
        return try TrainedViewGenerator.resolve(checkpoint)
    }
}
