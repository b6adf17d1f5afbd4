// Generation for `views` and `customize`: train2's TrainedViewGenerator (the trainer's own DDIM
// sampler, zero123's classifier-free guidance) at the preset's resolution, each item with its own
// seed derived from (run seed, item id) so a view does not depend on the other items.
import Foundation
import Diffusion
import Imaging
import Support
import Tensor
import Training

/// What `views` and `customize` generate with: a cn-train checkpoint (`TrainedViewSampling`) or a
/// released zero123 checkpoint (`ReleasedViewSampling`).
public protocol ViewGenerating {
    /// The side of the generated views (items are scored at it).
    var size: Int { get }
    /// Whether the model is CustomNet (takes the caption and the concat image).
    var isCustomNet: Bool { get }
    /// The view of item `id` from its reference (file `referencePath`, decoded as `reference`) at T `pose`.
    func generate(id: String, referencePath: String, reference: RGBAImage, pose: [Float], concat: RGBAImage?, caption: String) throws -> MetricImage
}

extension ViewGenerating {
    /// An image file (or shard member, `SampleImageFile`) as scored: over white, resized to the model's side.
    public func modelImage(_ path: String, files: SampleImageFile) throws -> MetricImage {
        modelImage(try files.load(path))
    }

    /// An image as scored: over white, resized to the model's side.
    public func modelImage(_ image: RGBAImage) -> MetricImage {
        let opaque = image.composited(over: .white)
        return MetricImage(rgba: opaque.width == size && opaque.height == size ? opaque : opaque.resized(width: size, height: size))
    }
}

/// Makes views with a cn-train checkpoint.
public struct TrainedViewSampling: ViewGenerating {
    /// The generator.
    public let generator: TrainedViewGenerator
    /// DDIM settings (`seed` is the run seed every item's seed derives from).
    public let sampler: SamplerSettings

    /// A sampler over `generator`.
    public init(generator: TrainedViewGenerator, sampler: SamplerSettings) {
        self.generator = generator
        self.sampler = sampler
    }

    /// The model's image side (the resolution items are scored at).
    public var size: Int { generator.preset.imageSize }

    /// Whether the checkpoint is a CustomNet model.
    public var isCustomNet: Bool { generator.mode == .customnet }

    /// The zero123 view change of a T vector [Δpolar (rad), sin Δaz, cos Δaz, Δradius].
    public static func poseVector(_ t: [Float]) -> PoseVector {
        PoseVector(polarDegrees: Double(t[0]) * 180 / .pi, azimuthDegrees: atan2(Double(t[1]), Double(t[2])) * 180 / .pi, radius: Double(t[3]))
    }

    /// The view of item `id` from `reference` at T `pose`; CustomNet models also take the concat image and caption.
    public func generate(id: String, referencePath: String, reference: RGBAImage, pose: [Float], concat: RGBAImage?, caption: String) throws -> MetricImage {
        var random = SeededRandom(runSeed: sampler.seed, stage: "cn-eval-sample", item: id)
        let view = try generator.generate(reference: reference, poses: [Self.poseVector(pose)], seed: random.next(), steps: sampler.steps,
                                          guidance: Float(sampler.guidanceScale), eta: sampler.eta, outputSize: size,
                                          caption: caption, concatImage: concat)[0]
        return MetricImage(rgba: view)
    }

    /// The first image of [B, 3, H, W] in [-1, 1] as 8-bit RGB (rounded, clamped).
    static func image(_ t: Tensor) throws -> MetricImage {
        let h = t.shape[2], w = t.shape[3], plane = h * w
        var pixels = [UInt8](repeating: 0, count: plane * 3)
        for i in 0..<plane {
            for c in 0..<3 {
                let v = ((t.data[c * plane + i] + 1) * 127.5).rounded()
                pixels[3 * i + c] = UInt8(max(0, min(255, v)))
            }
        }
        return try MetricImage(width: w, height: h, channels: 3, pixels: pixels)
    }
}
