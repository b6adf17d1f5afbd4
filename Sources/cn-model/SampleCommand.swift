import ArgumentParser
import Diffusion
import Foundation
import Imaging
import Pipeline
import StageCLI
import Support
import Tensor

/// `cn-model sample`: one novel view of a reference image, end to end.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Synthesise the view of REF.png after a camera change (zero123), or CustomNet's customisation with --prompt / --box.",
        discussion: """
            The reference is composited over white and resized to the model's resolution when it \
            differs. DDIM follows ldm's DDIMSampler: N steps are N-1 updates (981 skipped), as zero123 \
            and CustomNet sample; --spacing leading runs diffusers' N steps instead. Guidance uses \
            zero123's unconditional branch (zeros after cc_projection, zero concat latent); CustomNet's \
            adds the empty prompt. Initial noise comes from --seed (the project's seeded stream) or \
            --noise (a [1, 4, h, w] .npy, e.g. written by PyTorch).
            """)

    @OptionGroup var model: CheckpointOptions
    @Option(help: ArgumentHelp("The reference view (PNG/JPEG; object centred on white, as zero123 wants it).", valueName: "ref.png"))
    var image: String
    @Option(help: "Polar change in degrees (positive: towards the top).") var polar: Double
    @Option(help: "Azimuth change in degrees.") var azimuth: Double
    @Option(help: "Radius change (zero123's scene units).") var radius: Double = 0
    @Option(help: "DDIM steps (ldm spacing: N steps = N-1 updates).") var steps = 50
    @Option(help: "Classifier-free guidance scale.") var guidance: Float = 3.0
    @Option(help: "DDIM eta (0: deterministic).") var eta: Double = 0
    @Option(help: ArgumentHelp("Timestep spacing: \(TimestepSpacing.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "spacing"))
    var spacing: TimestepSpacing = .ldm
    @Option(help: "Seed of the initial noise (and of eta's per-step noise).") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Initial noise [1, 4, h, w] .npy instead of --seed's.", valueName: "noise.npy")) var noise: String?
    @Option(help: "CustomNet: the background prompt.") var prompt: String?
    @Option(help: ArgumentHelp("CustomNet: the object's box on the 256 canvas.", valueName: "x0,y0,x1,y1")) var box: String?
    @Option(help: ArgumentHelp("CLIP BPE vocabulary for CustomNet prompts (bpe_simple_vocab_16e6.txt.gz).", valueName: "file"))
    var vocab: String?
    @Option(help: ArgumentHelp("Where to write the view.", valueName: "view.png")) var out: String
    @Option(name: .customLong("latent-out"), help: ArgumentHelp("Also write the final latent (scaled, [1, 4, h, w]).", valueName: "z.npy"))
    var latentOut: String?

    func validate() throws {
        if steps < 2 && spacing == .ldm { throw ValidationError("--steps must be at least 2 with ldm spacing (N steps = N-1 updates)") }
        if steps < 1 || steps > 1000 { throw ValidationError("--steps must be in 1...1000") }
        if let box, parsedBox(box) == nil { throw ValidationError("--box takes x0,y0,x1,y1 with x0 < x1 and y0 < y1 on the 256 canvas") }
        if !guidance.isFinite || !eta.isFinite || eta < 0 { throw ValidationError("--guidance must be finite and --eta >= 0") }
    }

    private func parsedBox(_ text: String) -> [Int]? {
        let values = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 4, values[0] < values[2], values[1] < values[3] else { return nil }
        return values
    }

    func run() throws {
        let loaded = try model.model(.sampling, vocabulary: vocab)
        if (prompt != nil || box != nil) && !loaded.variant.hasTextAttention {
            throw ModelError(.badInput, "--prompt and --box need a CustomNet checkpoint; this one is \(loaded.variant.rawValue)")
        }
        let size = loaded.configuration.firstStage.network.resolution
        let reference = try ReferenceImage(path: image, size: size)
        if reference.resized { FileHandle.standardError.write(Data("cn-model: \(image) resized to \(size)x\(size)\n".utf8)) }
        let concatImage = try box.flatMap(parsedBox).map { try reference.concatTensor(box: $0) }
        let pose = PoseVector(polarDegrees: polar, azimuthDegrees: azimuth, radius: radius)
        let conditioning = try loaded.conditioning(reference: reference.tensor, pose: pose, prompt: prompt, concatImage: concatImage)
        let latentSize = loaded.latentSize(imageSize: size)
        let schedule = try NoiseSchedule(linearStart: loaded.configuration.linearStart, linearEnd: loaded.configuration.linearEnd,
                                         timesteps: loaded.configuration.timesteps)
        let sampler = try DDIMSampler(schedule: schedule, steps: steps, eta: eta, spacing: spacing)
        var stream = SeededNoise(seed: seed)
        let shape = [1, loaded.configuration.unet.outChannels, latentSize, latentSize]
        let initial = try noise.map { try TensorFiles.read($0) } ?? stream.normal(shape: shape)
        guard initial.shape == shape else { throw ModelError(.badInput, "--noise has shape \(initial.shape); expected \(shape)") }
        let bar = ProgressReporter(label: "sample", total: sampler.scheduler.timesteps.count, mode: .auto)
        let result = try loaded.sample(conditioning: conditioning, sampler: sampler, guidance: guidance, initial: initial,
                                       noise: &stream) { bar.update(done: $0.index + 1, failed: 0, skipped: 0) }
        bar.clear()
        let rgb = ImageTensor.toRGB(result.image)
        let rgba = ModelInput.opaque(rgb: rgb, width: size, height: size)
        try AtomicFile.write(try PNG.encodeOpaque(rgba), to: out)
        if let latentOut { try TensorFiles.write(result.latent, to: latentOut) }
    }
}

extension TimestepSpacing: ExpressibleByArgument {}
