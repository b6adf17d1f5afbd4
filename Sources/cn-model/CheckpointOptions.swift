import ArgumentParser
import Diffusion
import NN

/// The options every cn-model command shares: which checkpoint, which ldm config, EMA or not.
struct CheckpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Checkpoint: .ckpt/.pt/.bin (PyTorch zip) or .safetensors in ldm naming, or a diffusers folder.", valueName: "path"))
    var checkpoint: String

    @Option(help: ArgumentHelp("The ldm YAML (zero123 / CustomNet configs/*.yaml); default: zero123's released config.",
                               valueName: "yaml"))
    var config: String?

    @Flag(help: "Use the EMA weights (model_ema.*) for the UNet instead of the trained ones.")
    var ema = false

    /// The checkpoint's tensors (the EMA view when --ema).
    func source() throws -> any TensorSource {
        try CheckpointFile.open(checkpoint, ema: ema)
    }

    /// The ldm configuration (zero123's when no --config).
    func configuration() throws -> LatentDiffusionConfiguration {
        if config == nil && DiffusersFolder.isFolder(checkpoint) { return try DiffusersFolder(path: checkpoint).configuration }
        guard let config else { return LatentDiffusionConfiguration() }
        return try LatentDiffusionConfiguration(yamlFile: config)
    }

    /// Loads `parts` of the model.
    func model(_ parts: ViewSynthesisModel.Parts, vocabulary: String? = nil) throws -> ViewSynthesisModel {
        try ViewSynthesisModel(source: source(), configuration: configuration(), parts: parts, vocabulary: vocabulary)
    }
}
