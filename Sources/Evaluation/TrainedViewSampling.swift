// Generation with a cn-train model for evaluation: images in, the model's DDIM sample out, at the
// preset's resolution (TrainingModel.sample: eta 0, zero123's classifier-free guidance), each item
// with its own noise seed so a view does not depend on what it was batched with.
import Foundation
import Imaging
import Support
import Tensor
import Training

/// Makes views with a trained model.
public struct TrainedViewSampling {
    /// The model.
    public let model: TrainingModel
    /// DDIM settings (`seed` is the run seed every item's seed derives from).
    public let sampler: SamplerSettings

    /// A sampler over `model`.
    public init(model: TrainingModel, sampler: SamplerSettings) {
        self.model = model
        self.sampler = sampler
    }

    /// The model's image side.
    public var size: Int { model.preset.imageSize }

    /// An image file (or shard member, `SampleImageFile`) as the model sees it: over white, resized to the model's side.
    public func modelImage(_ path: String, files: SampleImageFile) throws -> MetricImage {
        modelImage(try files.load(path))
    }

    /// An image as the model sees it: over white, resized to the model's side.
    public func modelImage(_ image: RGBAImage) -> MetricImage {
        let opaque = image.composited(over: .white)
        return MetricImage(rgba: opaque.width == size && opaque.height == size ? opaque : opaque.resized(width: size, height: size))
    }

    /// The view of item `id` from `reference` at relative pose `pose` (T); CustomNet models also take
    /// the concat image and caption.
    public func generate(id: String, reference: MetricImage, pose: [Float], concat: MetricImage? = nil, caption: String = "") throws -> MetricImage {
        let referenceTensor = Self.chw(reference)
        let sample = TrainingSample(key: id, reference: referenceTensor, target: referenceTensor.zerosLike(),
                                    concatImage: concat.map(Self.chw) ?? referenceTensor, pose: pose, caption: caption)
        var random = SeededRandom(runSeed: sampler.seed, stage: "cn-eval-sample", item: id)
        let output = try model.sample(TrainingBatch([sample]), steps: sampler.steps, guidance: Float(sampler.guidanceScale), seed: random.next())
        return try Self.image(output)
    }

    /// [3, S, S] in [-1, 1] of an image.
    static func chw(_ image: MetricImage) -> Tensor {
        let t = image.tensorMinusOneToOne()
        return t.reshaped(Array(t.shape.dropFirst()))
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
