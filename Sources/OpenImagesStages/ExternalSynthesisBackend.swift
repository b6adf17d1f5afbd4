import Diffusion
import Foundation
import Imaging
import Manifest
import Pipeline
import Support
import Synchronization
import Tensor

/// The `external` backend: a user's command (`command:`, e.g. scripts/external/zero123_diffusers.py
/// on a GPU) run in batches through the shared `ExternalBatchCommand`, as the external captioner.
/// Request, one JSON line per item: {"id", "image": ref.png, "views": [[polar_deg, azimuth_deg,
/// radius], ...], "seed", "noise": [x_T.npy, ...]}; response {"id", "views": [view.png, ...]} or
/// {"id", "error"}. Each view's x_T is drawn from the item's stream after the pose draws exactly
/// as the diffusion backend draws it (shape [1, 4, h, w] from `model_config`, zero123's 32x32 by
/// default) and written as float32 .npy, so a client reproduces its own engine's result. The
/// returned views are composited over white and resized to the canvas.
public final class ExternalSynthesisBackend: ViewSynthesisBackend {
    public let name = "external"
    public let config: SynthesizeConfig
    /// The noise shape of one view.
    public let noiseShape: [Int]
    private let runner: ExternalBatchCommand
    private let noiseFolder: URL
    private let planner = Mutex<SynthesisPlanner?>(nil)

    public init(config: SynthesizeConfig) throws {
        self.config = config
        guard let command = config.command, !command.isEmpty else {
            throw ConfigError(message: "step 'synthesize': backend external needs command:")
        }
        let configuration: LatentDiffusionConfiguration
        do { configuration = try config.modelConfig.map { try LatentDiffusionConfiguration(yamlFile: $0) } ?? LatentDiffusionConfiguration() } catch {
            throw ConfigError(message: "step 'synthesize': cannot read model_config \(config.modelConfig ?? ""): \(oneLine(error))")
        }
        let side = configuration.firstStage.network.resolution >> (configuration.firstStage.network.channelMultipliers.count - 1)
        noiseShape = [1, configuration.unet.outChannels, side, side]
        runner = ExternalBatchCommand(command: command, batchSize: config.batchSize, timeLimit: config.timeLimit,
                                      label: "the synthesis command")
        noiseFolder = FileManager.default.temporaryDirectory.appendingPathComponent("cn-synthesize-noise-\(getpid())")
    }

    public func prepare(_ planner: SynthesisPlanner) {
        runner.prepare(order: planner.order)
        self.planner.withLock { $0 = planner }
    }

    /// The request of one item; writes its noise files.
    func request(_ plan: SynthesisPlan) throws -> [String: any Sendable] {
        var noise = SeededNoise(random: plan.random)
        let folder = noiseFolder.appendingPathComponent(plan.subject.objectID)
        var paths: [String] = []
        for index in plan.deltas.indices {
            let tensor = try noise.normal(shape: noiseShape)
            let path = folder.appendingPathComponent("noise_\(index).npy").path
            try AtomicFile.write(NPY.encode(float32: tensor.data, shape: tensor.shape), to: path)
            paths.append(path)
        }
        return ["id": plan.subject.objectID, "image": plan.subject.reference, "seed": plan.subject.seed, "noise": paths,
                "views": plan.deltas.map { [$0.polarDegrees, $0.azimuthDegrees, $0.radius] }]
    }

    public func views(of subject: SynthesisSubject, deltas: [ViewDelta], random: inout SeededRandom) throws -> SynthesizedViews {
        let own = SynthesisPlan(subject: subject, deltas: deltas, random: random)
        // The item's noise files live until its answer is in (a batch-mate's are rewritten, same bytes, on its own turn).
        defer { try? FileManager.default.removeItem(at: noiseFolder.appendingPathComponent(subject.objectID)) }
        let planner = self.planner.withLock { $0 }
        let response: [String: Any]
        do {
            response = try runner.response(key: subject.objectID) { key in
                if key == subject.objectID { return try request(own) }
                guard let planner else { throw SynthesisError(.notInManifest, message: "no planner") }
                return try request(try planner.plan(key))
            }
        } catch let failure as ExternalBatchCommand.Failure {
            switch failure.reason {
            case .failed: throw SynthesisError(.externalFailed, message: failure.message)
            case .timeout: throw SynthesisError(.externalTimeout, message: failure.message)
            case .noOutput: throw SynthesisError(.externalNoOutput, message: failure.message)
            }
        }
        if let error = response["error"] {
            throw SynthesisError(.externalError, message: "the synthesis command failed on \(subject.objectID): \(error)")
        }
        guard let paths = response["views"] as? [String], paths.count == deltas.count else {
            throw SynthesisError(.externalBadOutput, message: "the synthesis command answered \(subject.objectID) without \(deltas.count) view paths")
        }
        var images: [RGBAImage] = []
        for path in paths {
            guard let image = try? ImageFile.loadRGBA(path).composited(over: .white) else {
                throw SynthesisError(.externalBadOutput, message: "the synthesis command's view \(path) cannot be read")
            }
            images.append(image.width == config.canvas && image.height == config.canvas
                          ? image : image.resized(width: config.canvas, height: config.canvas, filter: .bicubic))
        }
        var provenance = NovelViewProvenance()
        provenance.seed = String(subject.seed)
        return SynthesizedViews(images: images, backend: name, provenance: provenance)
    }
}
