import ArgumentParser
import Evaluation

/// The network weights every subcommand takes (a metric without its weights is not computed).
struct MetricWeightOptions: ParsableArguments {
    @Option(name: .customLong("lpips-alexnet"), help: ArgumentHelp("torchvision AlexNet weights (.pth / .safetensors).", valueName: "file"))
    var lpipsAlexnet: String?

    @Option(name: .customLong("lpips-heads"), help: ArgumentHelp("lpips v0.1 alex.pth linear heads.", valueName: "file"))
    var lpipsHeads: String?

    @Option(help: ArgumentHelp("CLIP ViT-L/14 weights; repeat to combine files.", valueName: "file"))
    var clip: [String] = []

    @Option(name: .customLong("clip-vocab"), help: ArgumentHelp("CLIP BPE vocabulary (bpe_simple_vocab_16e6.txt.gz, or vocab.json with merges.txt beside it).", valueName: "file"))
    var clipVocab: String?

    @Option(help: ArgumentHelp("DINO ViT-S/16 weights (dino_deitsmall16_pretrain.pth layout).", valueName: "file"))
    var dino: String?

    func validate() throws {
        if (lpipsAlexnet == nil) != (lpipsHeads == nil) {
            throw ValidationError("LPIPS needs both --lpips-alexnet and --lpips-heads")
        }
    }

    /// The networks whose weights were given.
    func networks() throws -> MetricNetworks {
        var networks = MetricNetworks()
        if let lpipsAlexnet, let lpipsHeads { networks.lpips = try LPIPS(alexnetFile: lpipsAlexnet, headsFile: lpipsHeads) }
        if !clip.isEmpty { networks.clip = try CLIPScore(files: clip, vocabulary: clipVocab) }
        if let dino { networks.dino = try DINOScore(file: dino) }
        return networks
    }
}
