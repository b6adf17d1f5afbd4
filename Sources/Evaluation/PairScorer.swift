// Scores (prediction, target) pairs with every metric whose weights were given: PSNR and both
// SSIMs always; LPIPS, CLIP-I / CLIP-T and DINO-I only with their networks (else not computed,
// never a number).
import Foundation
import Support
import Tensor

/// The networks a scorer may hold, each optional.
public struct MetricNetworks {
    /// LPIPS (AlexNet trunk + lpips heads), or nil.
    public var lpips: LPIPS?
    /// CLIP ViT-L/14 (image tower, and text tower + tokenizer for CLIP-T), or nil.
    public var clip: CLIPScore?
    /// DINO ViT-S/16, or nil.
    public var dino: DINOScore?

    /// The networks.
    public init(lpips: LPIPS? = nil, clip: CLIPScore? = nil, dino: DINOScore? = nil) {
        self.lpips = lpips
        self.clip = clip
        self.dino = dino
    }

    /// Why each network metric is not computed (empty reason list means all are).
    public func notComputed(prompts: Bool) -> [Metric: String] {
        var out: [Metric: String] = [:]
        if lpips == nil { out[.lpips] = "no LPIPS weights given (--lpips-alexnet and --lpips-heads)" }
        if clip == nil {
            out[.clipI] = "no CLIP weights given (--clip)"
            out[.clipT] = "no CLIP weights given (--clip)"
        } else if !(clip!.canEmbedText) {
            out[.clipT] = clip!.text == nil || clip!.textProjection == nil
                ? "the CLIP weights have no text tower with text_projection" : "no CLIP vocabulary given (--clip-vocab)"
        } else if !prompts {
            out[.clipT] = "no prompts given (--prompts)"
        }
        if dino == nil { out[.dinoI] = "no DINO weights given (--dino)" }
        return out
    }
}

/// Scores pairs; caches each target's embeddings so baselines reuse them.
public final class PairScorer {
    /// The networks.
    public let networks: MetricNetworks
    private var targetEmbeddings: [String: (clip: Tensor?, dino: Tensor?)] = [:]
    private var textEmbeddings: [String: Tensor] = [:]

    /// A scorer with the given networks.
    public init(networks: MetricNetworks) {
        self.networks = networks
    }

    /// PSNR, SSIM and Gaussian SSIM of one pair (Gaussian SSIM absent when the image is under 11 px).
    public static func pixelMetrics(_ prediction: MetricImage, _ target: MetricImage) throws -> MetricValues {
        var values: MetricValues = [:]
        values[.psnr] = try PSNR.compute(prediction, target)
        values[.ssim] = try SSIM.scikitImage.compute(prediction, target)
        if min(target.width, target.height) >= SSIM.gaussian.windowSize {
            values[.ssimGaussian] = try SSIM.gaussian.compute(prediction, target)
        }
        return values
    }

    /// The pixel metrics of many pairs, spread over the cores (each pair on one thread).
    public static func pixelMetrics(_ pairs: [(MetricImage, MetricImage)]) -> [Result<MetricValues, Error>] {
        let results = LockedResults<Result<MetricValues, Error>>(count: pairs.count)
        DispatchQueue.concurrentPerform(iterations: pairs.count) { i in
            results.set(i, Result { try pixelMetrics(pairs[i].0, pairs[i].1) })
        }
        return results.values.map { $0! }
    }

    /// The network metrics of one pair; `key` identifies the target for caching, `prompt` enables CLIP-T.
    public func networkMetrics(_ prediction: MetricImage, _ target: MetricImage, key: String, prompt: String?) throws -> MetricValues {
        var values: MetricValues = [:]
        if let lpips = networks.lpips { values[.lpips] = try lpips.distance(prediction, target) }
        let cached = targetEmbeddings[key]
        var clipTarget = cached?.clip, dinoTarget = cached?.dino
        if let clip = networks.clip {
            let p = try clip.imageEmbeddings([prediction])
            if clipTarget == nil { clipTarget = try clip.imageEmbeddings([target]) }
            values[.clipI] = cosineSimilarity(row(p, 0), row(clipTarget!, 0))
            if let prompt, clip.canEmbedText {
                if textEmbeddings[prompt] == nil { textEmbeddings[prompt] = try clip.textEmbeddings([prompt]) }
                values[.clipT] = cosineSimilarity(row(p, 0), row(textEmbeddings[prompt]!, 0))
            }
        }
        if let dino = networks.dino {
            let p = try dino.embeddings([prediction])
            if dinoTarget == nil { dinoTarget = try dino.embeddings([target]) }
            values[.dinoI] = cosineSimilarity(row(p, 0), row(dinoTarget!, 0))
        }
        targetEmbeddings[key] = (clipTarget, dinoTarget)
        return values
    }
}

/// Results written by index from concurrent workers.
final class LockedResults<T>: @unchecked Sendable {
    private var storage: [T?]
    private let lock = NSLock()

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    var values: [T?] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
