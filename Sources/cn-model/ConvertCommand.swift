import ArgumentParser
import Diffusion
import Foundation
import NN
import Tensor

/// `cn-model convert`: a checkpoint's weights as safetensors, in ldm naming.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a checkpoint's weights as float32 safetensors (ldm naming), e.g. to turn a pickled .ckpt into a safe file.",
        discussion: """
            With --ema the UNet's trained weights are replaced by the EMA copy. EMA copies and \
            non-weight entries (optimizer state, step counters) are not written. --naming diffusers writes \
            a folder (--out is its path) that diffusers' from_pretrained reads: unet/, vae/, \
            image_encoder/ (transformers CLIPVisionModelWithProjection) and cc_projection/, each with its \
            config.json; scripts/external/zero123_diffusers.py runs it.
            """)

    /// The naming of the written file.
    enum Naming: String, ExpressibleByArgument, CaseIterable {
        case ldm, diffusers
    }

    @OptionGroup var model: CheckpointOptions
    @Option(help: ArgumentHelp("The safetensors file to write (a folder with --naming diffusers).", valueName: "path")) var out: String
    @Option(help: ArgumentHelp("Key naming: \(Naming.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "naming"))
    var naming: Naming = .ldm

    func run() throws {
        let source = try model.source()
        if naming == .diffusers {
            let parts = try DiffusersExport.write(source, configuration: model.configuration(), to: out)
            print("wrote \(parts.joined(separator: ", ")) to \(out)")
            return
        }
        var tensors: [String: Tensor] = [:]
        for key in source.keys where !key.hasPrefix("model_ema.") {
            tensors[key] = try source.tensor(key)
        }
        try Safetensors.write(tensors, metadata: ["format": "pt", "source": (model.checkpoint as NSString).lastPathComponent,
                                                  "ema": model.ema ? "true" : "false"], to: out)
        print("wrote \(tensors.count) tensors to \(out)")
    }
}
