import ArgumentParser
import Diffusion
import NN
import Tensor

/// `cn-model unet`: one UNet evaluation, eps = UNet(x, t, context).
struct UNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet", abstract: "Evaluate the UNet once: eps for X (noisy latent and concat channels together) at timestep T.")

    @OptionGroup var model: CheckpointOptions
    @Option(help: ArgumentHelp("[B, in_channels, h, w] .npy: what the UNet sees.", valueName: "x.npy")) var input: String
    @Option(help: "The timestep (0..999), the same for every batch item.") var timestep: Int
    @Option(help: ArgumentHelp("[B, 1, 768] (zero123) or [B, 78, 768] (CustomNet) context .npy.", valueName: "c.npy"))
    var context: String
    @Option(help: ArgumentHelp("Where to write eps [B, 4, h, w] as .npy.", valueName: "eps.npy")) var out: String

    func run() throws {
        let x = try TensorFiles.read(input), c = try TensorFiles.read(context)
        guard (0..<1000).contains(timestep) else { throw ValidationError("--timestep must be in 0...999") }
        let loaded = try model.model(.unet)
        let unet = loaded.unet!
        guard x.rank == 4, x.shape[1] == unet.configuration.inChannels else {
            throw ModelError(.badInput, "\(input) has shape \(x.shape); this \(loaded.variant.rawValue) UNet takes [B, \(unet.configuration.inChannels), h, w]")
        }
        guard c.rank == 3, c.shape[0] == x.shape[0], c.shape[2] == unet.configuration.contextDim else {
            throw ModelError(.badInput, "\(context) has shape \(c.shape); expected [\(x.shape[0]), L, \(unet.configuration.contextDim)]")
        }
        let eps = InferenceMode.run {
            unet.forward(x, timesteps: [Float](repeating: Float(timestep), count: x.shape[0]), context: c)
        }
        try TensorFiles.write(eps, to: out)
    }
}

/// `cn-model vae-encode`: [-1, 1] images -> posterior mean (unscaled).
struct VAEEncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae-encode", abstract: "Encode [-1,1] NCHW images to the VAE posterior mean (unscaled, as zero123's c_concat).")

    @OptionGroup var model: CheckpointOptions
    @Option(help: ArgumentHelp("[B, 3, H, W] .npy in [-1, 1].", valueName: "img.npy")) var input: String
    @Option(help: ArgumentHelp("Where to write the mean [B, 4, H/8, W/8].", valueName: "z.npy")) var out: String

    func run() throws {
        let x = try TensorFiles.read(input)
        let vae = try model.model(.autoencoder).autoencoder!
        try TensorFiles.write(try vae.encode(x).mode(), to: out)
    }
}

/// `cn-model vae-decode`: unscaled latents -> [-1, 1] images.
struct VAEDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae-decode", abstract: "Decode unscaled latents [B, 4, h, w] to [-1,1] images [B, 3, 8h, 8w].")

    @OptionGroup var model: CheckpointOptions
    @Option(help: ArgumentHelp("Unscaled latent .npy.", valueName: "z.npy")) var input: String
    @Option(help: ArgumentHelp("Where to write the image .npy.", valueName: "img.npy")) var out: String

    func run() throws {
        let z = try TensorFiles.read(input)
        let vae = try model.model(.autoencoder).autoencoder!
        try TensorFiles.write(try vae.decode(z), to: out)
    }
}

/// `cn-model clip-image`: CLIP-normalised pixels -> image embeddings.
struct CLIPImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip-image", abstract: "Embed CLIP-normalised pixels [B,3,224,224] with the checkpoint's CLIP image tower (unnormalised, [B, D]).")

    @Option(help: ArgumentHelp("Checkpoint holding cond_stage_model.model.visual.* (or a CLIP file).", valueName: "file"))
    var checkpoint: String
    @Option(help: ArgumentHelp("[B, 3, 224, 224] .npy, already CLIP-normalised.", valueName: "pix.npy")) var input: String
    @Option(help: ArgumentHelp("Where to write the embeddings [B, D].", valueName: "emb.npy")) var out: String

    func run() throws {
        let pixels = try TensorFiles.read(input)
        let source = try CheckpointFile.open(checkpoint, ema: false)
        let encoder = try CLIPVisionTransformer.load(from: source, prefix: ViewSynthesisModel.Prefix.imageEncoder)
        try TensorFiles.write(try encoder.encode(pixels), to: out)
    }
}
