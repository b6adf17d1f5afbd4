// Follows zero123 `ldm/data/simple.py` (ObjaverseData: images in [-1, 1] over white, T from
// get_T) and CustomNet's loader (reference, concat image at the box, caption).
import Foundation
import Imaging
import Shards
import Tensor

/// One decoded training pair at the preset's resolution.
public struct TrainingSample: Sendable {
    /// The shard key.
    public var key: String
    /// [3, S, S] in [-1, 1]: the reference view, the target, and the concat image (the reference
    /// pasted at the target box on white; the reference itself when a shard lacks it).
    public var reference: Tensor, target: Tensor, concatImage: Tensor
    /// T = [Δpolar, sin Δaz, cos Δaz, Δradius].
    public var pose: [Float]
    /// The caption ("" when absent).
    public var caption: String

    /// A sample from its parts.
    public init(key: String, reference: Tensor, target: Tensor, concatImage: Tensor, pose: [Float], caption: String) {
        self.key = key
        self.reference = reference
        self.target = target
        self.concatImage = concatImage
        self.pose = pose
        self.caption = caption
    }

    /// Decodes a webdataset sample (docs/CONTRACTS.md, Shards) at `size` x `size` pixels.
    public init(_ sample: WebDatasetSample, size: Int) throws {
        key = sample.key
        func field(_ names: [String]) -> [UInt8]? {
            for n in names { if let f = sample.fields.first(where: { $0.name == n }) { return f.bytes } }
            return nil
        }
        func image(_ names: [String]) throws -> Tensor? {
            guard let bytes = field(names) else { return nil }
            let decoded = try ImageFile.decodeRGBA(bytes, source: "\(sample.key).\(names[0])").composited(over: .white)
            return TrainingSample.tensor(decoded.width == size && decoded.height == size
                ? decoded : decoded.resized(width: size, height: size))
        }
        guard let target = try image(["target.png", "target.jpg", "target.jpeg"]) else {
            throw TrainingError("sample \(sample.key) has no target.png")
        }
        guard let reference = try image(["ref.png", "ref.jpg", "ref.jpeg"]) else {
            throw TrainingError("sample \(sample.key) has no ref.png")
        }
        self.target = target
        self.reference = reference
        concatImage = try image(["concat.png", "concat.jpg"]) ?? reference
        caption = field(["txt"]).map { String(decoding: $0, as: UTF8.self) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard let json = field(["json"]), let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let t = object["T"] as? [Double], t.count == 4 else {
            throw TrainingError("sample \(sample.key) has no T vector in its json")
        }
        pose = t.map(Float.init)
    }

    /// RGBA8 (opaque) -> [3, H, W] in [-1, 1].
    static func tensor(_ image: RGBAImage) -> Tensor {
        let plane = image.width * image.height
        var t = Tensor(shape: [3, image.height, image.width])
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<plane {
                for c in 0..<3 { t.data[c * plane + i] = Float(p[4 * i + c]) / 255 * 2 - 1 }
            }
        }
        return t
    }
}

/// A batch stacked on the first axis.
public struct TrainingBatch: Sendable {
    /// [B, 3, S, S] each.
    public var reference: Tensor, target: Tensor, concatImage: Tensor
    /// [B, 4].
    public var pose: Tensor
    /// B captions.
    public var captions: [String]
    /// B keys.
    public var keys: [String]

    /// Stacks samples.
    public init(_ samples: [TrainingSample]) {
        func stack(_ f: (TrainingSample) -> Tensor) -> Tensor {
            let parts = samples.map(f)
            return Tensor(shape: [parts.count] + parts[0].shape, data: parts.flatMap(\.data))
        }
        reference = stack(\.reference)
        target = stack(\.target)
        concatImage = stack(\.concatImage)
        pose = Tensor(shape: [samples.count, 4], data: samples.flatMap(\.pose))
        captions = samples.map(\.caption)
        keys = samples.map(\.key)
    }

    /// Batch size.
    public var count: Int { keys.count }
}
