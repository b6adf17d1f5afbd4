// The Swift side of scripts/interop/vae_fullsize (not part of `swift test`): loads the full-size
// zero123 VAE that scripts/interop/vae_fullsize.py wrote (ldm names, random weights), checks
// encode and decode at 256x256 against its float64 references (relative L2 < 1e-4) and times them
// next to PyTorch's figures from the same run. Built with -O against the release Diffusion module.
import COpenBLAS
import Diffusion
import Foundation
import NN
import Support
import Tensor

/// A .npy file of the reference folder (values in double precision, and its shape).
func npy(_ folder: URL, _ name: String) throws -> (values: [Double], shape: [Int]) {
    try NPY.decode([UInt8](Data(contentsOf: folder.appendingPathComponent(name + ".npy"))))
}

/// ||ours - reference|| / ||reference||.
func relativeL2(_ ours: Tensor, _ reference: (values: [Double], shape: [Int])) -> Double {
    precondition(ours.shape == reference.shape, "shape \(ours.shape) vs reference \(reference.shape)")
    var diff = 0.0, norm = 0.0
    for (a, b) in zip(ours.data, reference.values) { diff += (Double(a) - b) * (Double(a) - b); norm += b * b }
    return (diff / norm).squareRoot()
}

/// Wall seconds of one call.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Peak resident set size in MB (VmHWM).
func peakRSS() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: vae-fullsize REFERENCE_FOLDER\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: arguments[1])
let repeats = 3
ComputeThreads.configure()

var vae: AutoencoderKL!
let loadTime = try seconds {
    let config = try JSONDecoder().decode(AutoencoderConfiguration.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
    vae = try AutoencoderKL(config)
    let weights = try Safetensors.read(folder.appendingPathComponent("weights_ldm.safetensors").path)
    try vae.loadCheckpoint(TensorDictionary(weights.tensors))
}
print("Swift: OpenBLAS kernel \(String(cString: openblas_get_corename())), \(ComputeThreads.threadCount) threads, \(vae.parameterCount) parameters, built and loaded in \(String(format: "%.2f", loadTime)) s")

let x = try npy(folder, "x"), z = try npy(folder, "z")
let image = Tensor(shape: x.shape, data: x.values.map(Float.init)), latent = Tensor(shape: z.shape, data: z.values.map(Float.init))
var posterior = try vae.encode(image)
var decoded = try vae.decode(latent)
var encodeTimes: [Double] = [], decodeTimes: [Double] = []
for _ in 0..<repeats {
    encodeTimes.append(try seconds { posterior = try vae.encode(image) })
    decodeTimes.append(try seconds { decoded = try vae.decode(latent) })
}
let errors = [
    ("mean", relativeL2(posterior.mean, try npy(folder, "mean"))),
    ("logvar", relativeL2(posterior.logvar, try npy(folder, "logvar"))),
    ("decode", relativeL2(decoded, try npy(folder, "decoded"))),
]
for (name, error) in errors { print("relative L2 \(name): \(error)") }

struct Timing: Decodable { let best_s: Double; let median_s: Double }
struct TorchTimings: Decodable { let threads: Int; let torch: String; let encode: Timing; let decode: Timing }
let torch = try JSONDecoder().decode(TorchTimings.self, from: Data(contentsOf: folder.appendingPathComponent("torch_timings.json")))
func line(_ name: String, _ times: [Double], _ reference: Timing) -> String {
    let best = times.min()!, median = times.sorted()[times.count / 2]
    return "\(name) 256x256 batch 1: Swift best \(String(format: "%.3f", best)) s (median \(String(format: "%.3f", median))), "
        + "PyTorch \(torch.torch) \(torch.threads) threads best \(String(format: "%.3f", reference.best_s)) s "
        + "(median \(String(format: "%.3f", reference.median_s))); ratio Swift/PyTorch \(String(format: "%.2f", best / reference.best_s))x"
}
print(line("encode", encodeTimes, torch.encode))
print(line("decode", decodeTimes, torch.decode))
print("peak RSS \(String(format: "%.0f", peakRSS())) MB (fp32 weights \(vae.parameterCount * 4 / 1_000_000) MB), "
      + "workspace \(Workspace.current.bytesHeld / 1_000_000) MB")
exit(errors.allSatisfy { $0.1 < 1e-4 } ? 0 : 1)
