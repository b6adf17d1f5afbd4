// Benchmark of the evaluator's metrics (scripts/bench/eval runs it beside scikit-image and PyTorch):
// scored pairs per second for PSNR + SSIM on 256x256 RGB pairs (one thread, and all cores as
// cn-eval spreads pairs), and for LPIPS, CLIP ViT-L/14 and DINO ViT-S/16 with random weights.
// Prints KEY=value lines.
import Foundation
import Evaluation
import NN
import Support
import Tensor
import Diffusion

BLASKernels.useDetectedKernels()
func emit(_ line: String) { print(line); fflush(nil) }

func pairs(_ n: Int) -> [(MetricImage, MetricImage)] {
    var random = SeededRandom(seed: 1)
    return (0..<n).map { _ in
        var a = [UInt8](repeating: 0, count: 256 * 256 * 3), b = a
        for i in 0..<a.count {
            let x = (i / 3) % 256, y = i / 768
            let v = Double(x + y) / 2 + random.uniform(-30, 30)
            a[i] = UInt8(max(0, min(255, v)))
            b[i] = UInt8(max(0, min(255, v + random.uniform(-20, 20))))
        }
        return (try! MetricImage(width: 256, height: 256, channels: 3, pixels: a), try! MetricImage(width: 256, height: 256, channels: 3, pixels: b))
    }
}

func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let data = pairs(64)
var sink = 0.0
let single = time {
    for (a, b) in data { sink += (try! PSNR.compute(a, b)) + (try! SSIM.scikitImage.compute(a, b)) }
}
emit("SWIFT_PSNR_SSIM_1THREAD_PAIRS_S=\(String(format: "%.1f", Double(data.count) / single))")
let parallel = time {
    let results = LockedSum()
    DispatchQueue.concurrentPerform(iterations: data.count) { i in
        results.add((try! PSNR.compute(data[i].0, data[i].1)) + (try! SSIM.scikitImage.compute(data[i].0, data[i].1)))
    }
    sink += results.value
}
emit("SWIFT_PSNR_SSIM_ALLCORES_PAIRS_S=\(String(format: "%.1f", Double(data.count) / parallel))")
let gaussian = time { for (a, b) in data.prefix(32) { sink += try! SSIM.gaussian.compute(a, b) } }
emit("SWIFT_SSIM_GAUSSIAN_1THREAD_PAIRS_S=\(String(format: "%.1f", 32 / gaussian))")

final class LockedSum: @unchecked Sendable {
    private var total = 0.0
    private let lock = NSLock()
    func add(_ v: Double) { lock.lock(); total += v; lock.unlock() }
    var value: Double { lock.lock(); defer { lock.unlock() }; return total }
}

func randomize(_ module: any Module, seed: UInt64, scale: Float = 0.02) {
    var random = SeededRandom(seed: seed)
    for (name, p) in module.namedParameters() {
        if name.hasSuffix("norm1.weight") || name.hasSuffix("norm2.weight") || name == "norm.weight" {
            p.value = Tensor(shape: p.value.shape, repeating: 1)
        } else {
            p.value = Tensor.randomNormal(shape: p.value.shape, std: scale, random: &random)
        }
    }
}

// LPIPS at 256x256.
let trunk = AlexNetFeatures(), heads = LPIPSHeads()
randomize(trunk, seed: 2, scale: 0.05)
randomize(heads, seed: 3, scale: 0.1)
var alex: [String: Tensor] = [:], lin: [String: Tensor] = [:]
for (k, p) in trunk.namedParameters() { alex[k] = p.value }
for (k, p) in heads.namedParameters() { lin[k] = p.value }
let lpips = try LPIPS(alexnet: TensorDictionary(alex), heads: TensorDictionary(lin))
_ = try lpips.distance(data[0].0, data[0].1)
let lpipsTime = time { for (a, b) in data.prefix(16) { sink += try! lpips.distance(a, b) } }
emit("SWIFT_LPIPS_PAIRS_S=\(String(format: "%.2f", 16 / lpipsTime))")

// DINO ViT-S/16 at 224 (image embeddings; a pair needs the prediction's, the target's is cached).
let dino = DINOViT(.vitSmall16)
randomize(dino, seed: 4)
var dinoRandom = SeededRandom(seed: 5)
let dinoPixels = Tensor.randomNormal(shape: [1, 3, 224, 224], random: &dinoRandom)
_ = try dino.embed(dinoPixels)
let dinoTime = try time { for _ in 0..<8 { _ = try dino.embed(dinoPixels) } }
emit("SWIFT_DINO_IMAGES_S=\(String(format: "%.2f", 8 / dinoTime))")

// CLIP ViT-L/14 at 224.
let clip = CLIPVisionTransformer(.vitL14, initialization: .random(seed: 6))
var pixelRandom = SeededRandom(seed: 7)
let clipPixels = Tensor.randomNormal(shape: [1, 3, 224, 224], random: &pixelRandom)
_ = try clip.encode(clipPixels)
let clipTime = try time { for _ in 0..<3 { _ = try clip.encode(clipPixels) } }
emit("SWIFT_CLIP_IMAGES_S=\(String(format: "%.3f", 3 / clipTime))")
emit("SINK=\(sink.isFinite ? 1 : 0)")
