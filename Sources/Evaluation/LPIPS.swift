// Follows richzhang/PerceptualSimilarity `lpips/lpips.py` (`LPIPS.forward` v0.1: `ScalingLayer`,
// `normalize_tensor` with eps 1e-10, squared difference, `NetLinLayer` = Dropout + bias-free 1x1
// Conv2d, `spatial_average`, summed over layers), `lpips/pretrained_networks.py` (`alexnet`: the
// outputs after torchvision `features[1]`, `[4]`, `[7]`, `[9]`, `[11]`, i.e. after each ReLU) and
// torchvision `models/alexnet.py` (`features`: Conv(3,64,11,s4,p2) ReLU MaxPool(3,2)
// Conv(64,192,5,p2) ReLU MaxPool(3,2) Conv(192,384,3,p1) ReLU Conv(384,256,3,p1) ReLU
// Conv(256,256,3,p1) ReLU MaxPool(3,2)).
import Foundation
import Support
import Tensor
import NN

/// torchvision AlexNet's convolutional trunk under its own key names (`features.{0,3,6,8,10}.{weight,bias}`),
/// returning the five ReLU outputs LPIPS compares.
public final class AlexNetFeatures: Module {
    /// The five convolutions at torchvision's `features` indices.
    public let conv0 = FrozenConv2d(3, 64, kernel: 11, stride: 4, padding: 2)
    public let conv3 = FrozenConv2d(64, 192, kernel: 5, padding: 2)
    public let conv6 = FrozenConv2d(192, 384, kernel: 3, padding: 1)
    public let conv8 = FrozenConv2d(384, 256, kernel: 3, padding: 1)
    public let conv10 = FrozenConv2d(256, 256, kernel: 3, padding: 1)

    /// A zero trunk (load it).
    public init() {}

    /// `features.0`, `features.3`, `features.6`, `features.8`, `features.10`.
    public var children: [(String, any Module)] {
        [("features.0", conv0), ("features.3", conv3), ("features.6", conv6), ("features.8", conv8), ("features.10", conv10)]
    }

    /// relu1 ... relu5 of lpips' `alexnet` for NCHW input (already shifted and scaled).
    public func forward(_ x: Tensor) -> [Tensor] {
        let r1 = relu(conv0.forward(x))
        let r2 = relu(conv3.forward(maxPool2d(r1, kernel: 3, stride: 2)))
        let r3 = relu(conv6.forward(maxPool2d(r2, kernel: 3, stride: 2)))
        let r4 = relu(conv8.forward(r3))
        let r5 = relu(conv10.forward(r4))
        return [r1, r2, r3, r4, r5]
    }
}

/// The lpips linear heads under lpips' key names (`lin{0..4}.model.1.weight`, [1, C, 1, 1]).
public final class LPIPSHeads: Module {
    /// One bias-free 1x1 convolution per AlexNet layer (64, 192, 384, 256, 256 channels).
    public let lins: [FrozenConv2d] = [64, 192, 384, 256, 256].map { FrozenConv2d($0, 1, kernel: 1, bias: false) }

    /// Zero heads (load them).
    public init() {}

    /// `lin{i}.model.1`.
    public var children: [(String, any Module)] {
        lins.enumerated().map { ("lin\($0.offset).model.1", $0.element as any Module) }
    }
}

/// LPIPS v0.1 with the AlexNet trunk (lpips' default `net='alex'`): the learned perceptual
/// distance between images in [-1, 1]; lower is more similar.
public final class LPIPS {
    /// lpips `ScalingLayer`: (x - shift) / scale per channel.
    public static let shift: [Float] = [-0.030, -0.088, -0.188]
    public static let scale: [Float] = [0.458, 0.448, 0.450]

    /// The trunk and the heads.
    public let trunk: AlexNetFeatures, heads: LPIPSHeads

    /// Loads the trunk from a torchvision AlexNet state dict (`features.*`; the classifier and
    /// other keys are ignored) and the heads from lpips' `weights/v0.1/alex.pth`.
    public init(alexnet: any TensorSource, heads headSource: any TensorSource) throws {
        trunk = AlexNetFeatures()
        heads = LPIPSHeads()
        do {
            try trunk.load(from: Self.scoped(alexnet, under: "features"), prefix: "")
        } catch {
            throw EvaluationError(.badWeights, "AlexNet weights (torchvision features.{0,3,6,8,10}): \(error)")
        }
        do {
            try heads.load(from: headSource, prefix: "")
        } catch {
            throw EvaluationError(.badWeights, "LPIPS heads (lpips alex.pth lin{0..4}.model.1.weight): \(error)")
        }
    }

    /// Opens the two files (PyTorch .pth or .safetensors).
    public convenience init(alexnetFile: String, headsFile: String) throws {
        try self.init(alexnet: try WeightFiles.open(alexnetFile), heads: try WeightFiles.open(headsFile))
    }

    /// Only the keys under `stem` (so `classifier.*` of a whole AlexNet does not break strict loading).
    static func scoped(_ source: any TensorSource, under stem: String) throws -> any TensorSource {
        try TransformedSource(source, transforms: [KeyTransform { key, shape in
            key.hasPrefix(stem + ".") ? nil : []
        }])
    }

    /// The distances of pairs (a[i], b[i]), each [N, 3, H, W] in [-1, 1] (lpips `forward(in0, in1)`).
    public func distance(_ a: Tensor, _ b: Tensor) -> [Double] {
        precondition(a.shape == b.shape && a.rank == 4 && a.shape[1] == 3, "LPIPS compares two [N, 3, H, W] batches of one shape")
        let n = a.shape[0]
        let features = InferenceMode.run { trunk.forward(Self.scaled(concat([a, b], axis: 0))) }
        var total = [Double](repeating: 0, count: n)
        for (layer, f) in features.enumerated() {
            let channels = f.shape[1], plane = f.shape[2] * f.shape[3]
            let w = heads.lins[layer].weight.value.data
            f.data.withUnsafeBufferPointer { fb in
                for item in 0..<n {
                    let p0 = item * channels * plane, p1 = (item + n) * channels * plane
                    var sum = 0.0
                    for s in 0..<plane {
                        var norm0: Float = 0, norm1: Float = 0
                        for c in 0..<channels {
                            let u = fb[p0 + c * plane + s], v = fb[p1 + c * plane + s]
                            norm0 += u * u
                            norm1 += v * v
                        }
                        let d0 = norm0.squareRoot() + 1e-10, d1 = norm1.squareRoot() + 1e-10
                        var acc: Float = 0
                        for c in 0..<channels {
                            let diff = fb[p0 + c * plane + s] / d0 - fb[p1 + c * plane + s] / d1
                            acc += w[c] * diff * diff
                        }
                        sum += Double(acc)
                    }
                    total[item] += sum / Double(plane)
                }
            }
        }
        return total
    }

    /// The distance of two 8-bit images of one size.
    public func distance(_ prediction: MetricImage, _ target: MetricImage) throws -> Double {
        guard prediction.width == target.width, prediction.height == target.height else {
            throw EvaluationError(.sizeMismatch, "LPIPS compares images of one size: \(prediction.width)x\(prediction.height) vs \(target.width)x\(target.height)")
        }
        return distance(prediction.tensorMinusOneToOne(), target.tensorMinusOneToOne())[0]
    }

    /// ScalingLayer.
    static func scaled(_ x: Tensor) -> Tensor {
        var y = x
        let plane = x.shape[2] * x.shape[3]
        y.data.withUnsafeMutableBufferPointer { d in
            for p in 0..<(x.shape[0] * 3) {
                let c = p % 3, s = shift[c], k = scale[c]
                for i in (p * plane)..<((p + 1) * plane) { d[i] = (d[i] - s) / k }
            }
        }
        return y
    }
}

/// Opens weight files by kind: `.safetensors` memory-mapped, anything else as a PyTorch archive
/// (`torch.save` zip) through NN's restricted unpickler.
public enum WeightFiles {
    /// The tensors of `path`.
    public static func open(_ path: String) throws -> any TensorSource {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EvaluationError(.badInput, "weights file \(path) does not exist")
        }
        do {
            if path.lowercased().hasSuffix(".safetensors") { return try SafetensorsFile(path: path) }
            if let head = FileHandle(forReadingAtPath: path)?.readData(ofLength: 16), LegacyTorchFile.isLegacy([UInt8](head)) {
                return try LegacyTorchFile(path: path)
            }
            return try TorchCheckpoint(path: path)
        } catch {
            throw EvaluationError(.badWeights, "cannot read weights \(path): \(error)")
        }
    }

    /// Several files as one source (keys must not collide).
    public static func open(_ paths: [String]) throws -> any TensorSource {
        if paths.count == 1 { return try open(paths[0]) }
        return try CombinedSource(paths.map { try open($0) })
    }
}
