// Full-size numerics and speed of the view-synthesis core (scripts/bench/model; never part of swift test):
// loads OUT/full.ckpt written by scripts/bench/model_torch.py, checks the UNet, VAE and CLIP against the
// float64 references there, times the UNet at batch 2 and a whole 50-step zero123 view, and prints
// KEY=VALUE lines with peak RSS next to the checkpoint's float32 weight bytes.
import Diffusion
import Foundation
import NN
import Support
import Tensor

/// Prints a KEY=VALUE line and flushes it at once (the run is long; a log shows progress).
func report(_ line: String) {
    print(line)
    fflush(nil)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func peakRSSGigabytes() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kilobytes / 1e6
}

func load(_ folder: String, _ name: String) throws -> (tensor: Tensor, values: [Double]) {
    let (values, shape) = try NPY.decode(FileReading.readAll(folder + "/" + name + ".npy", limit: 1 << 30))
    return (Tensor(shape: shape, data: values.map { Float($0) }), values)
}

func relativeL2(_ a: Tensor, _ b: [Double]) -> Double {
    var num = 0.0, den = 0.0
    for i in 0..<b.count { let d = Double(a.data[i]) - b[i]; num += d * d; den += b[i] * b[i] }
    return (num / den).squareRoot()
}

BLASKernels.useDetectedKernels()
report("SWIFT_BLAS_CORE=\(BLASKernels.coreName)")
let folder = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/tmp/cn-bench-model"
ComputeThreads.configure()
var model: ViewSynthesisModel!
let loadTime = try seconds {
    model = try ViewSynthesisModel(source: TorchCheckpoint(path: folder + "/full.ckpt"),
                                   parts: [.unet, .autoencoder, .imageConditioning])
}
let weights = [model.unet!.parameterCount, model.autoencoder!.parameterCount, model.imageEncoder!.parameterCount,
               model.projection!.parameterCount].reduce(0, +)
report("SWIFT_LOAD_S=\(String(format: "%.2f", loadTime))")
report("SWIFT_WEIGHT_GB=\(String(format: "%.3f", Double(weights * 4) / 1e9))")
report("SWIFT_RSS_AFTER_LOAD_GB=\(String(format: "%.2f", peakRSSGigabytes()))")

let x = try load(folder, "unet_x").tensor, context = try load(folder, "unet_context").tensor
var eps = Tensor(shape: [1])
var times: [Double] = []
for _ in 0..<3 {
    times.append(seconds { eps = InferenceMode.run { model.unet!.forward(x, timesteps: [961, 21], context: context) } })
}
report("SWIFT_UNET_BATCH2_S=\(String(format: "%.3f", times.sorted()[1]))")
report("SWIFT_UNET_BATCH2_BEST_S=\(String(format: "%.3f", times.min()!))")
report("SWIFT_UNET_REL_L2=\(relativeL2(eps, try load(folder, "unet_eps").values))")
let mean = try model.autoencoder!.encode(try load(folder, "vae_image").tensor).mode()
report("SWIFT_VAE_MEAN_REL_L2=\(relativeL2(mean, try load(folder, "vae_mean").values))")
let decoded = try model.autoencoder!.decode(try load(folder, "vae_z").tensor)
report("SWIFT_VAE_DECODE_REL_L2=\(relativeL2(decoded, try load(folder, "vae_decoded").values))")
let embeds = try model.imageEncoder!.encode(try load(folder, "clip_pixels").tensor)
report("SWIFT_CLIP_REL_L2=\(relativeL2(embeds, try load(folder, "clip_embeds").values))")

var noise = SeededNoise(seed: 1)
let viewTime = try seconds {
    let image = try load(folder, "vae_image").tensor
    let conditioning = try model.conditioning(reference: image, pose: PoseVector(polarDegrees: 20, azimuthDegrees: 45, radius: 0))
    let sampler = try DDIMSampler(schedule: NoiseSchedule(), steps: 50)
    let initial = try noise.normal(shape: [1, 4, 32, 32])
    _ = try model.sample(conditioning: conditioning, sampler: sampler, guidance: 3, initial: initial, noise: &noise)
}
report("SWIFT_VIEW_50_STEPS_S=\(String(format: "%.1f", viewTime))")
let peak = peakRSSGigabytes()
report("SWIFT_PEAK_RSS_GB=\(String(format: "%.2f", peak))")
report("SWIFT_PEAK_RSS_PER_WEIGHT_BYTES=\(String(format: "%.2f", peak / (Double(weights * 4) / 1e9)))")
