import Foundation
import Support
import Tensor
import TestSupport
@testable import Evaluation

/// The references of scripts/interop/eval_reference.py, generated once per test run into scratch
/// folders (the tests fail, never skip, without a Python that has the modules).
enum EvaluationReferences {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func generate(_ mode: String, modules: [String]) -> Result<URL, Failure> {
        do {
            let python = try Python.interpreter(importing: modules)
            let folder = TestPaths.scratchFolder("eval-\(mode)")
            let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/interop/eval_reference.py").path
            let result = try ProcessRunner.run(python, [script, mode, folder.path])
            guard result.status == 0 else {
                return .failure(Failure(description: "eval_reference.py \(mode) exited with \(result.status): \(result.stderr)"))
            }
            return .success(folder)
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }

    /// PSNR / SSIM pairs and scikit-image's values.
    static let pixels = generate("pixels", modules: ["numpy", "skimage", "PIL"])
    /// LPIPS / CLIP / DINO weights, inputs and PyTorch outputs.
    static let networks = generate("networks", modules: ["torch", "transformers", "safetensors", "numpy", "PIL"])

    static func array(_ folder: Result<URL, Failure>, _ name: String) throws -> (values: [Double], shape: [Int]) {
        try NPY.decode([UInt8](Data(contentsOf: try folder.get().appendingPathComponent(name + ".npy"))))
    }

    static func tensor(_ folder: Result<URL, Failure>, _ name: String) throws -> Tensor {
        let (v, shape) = try array(folder, name)
        return Tensor(shape: shape, data: v.map { Float($0) })
    }

    static func path(_ folder: Result<URL, Failure>, _ name: String) throws -> String {
        try folder.get().appendingPathComponent(name).path
    }

    /// A uint8 image stored as float64 (H, W) or (H, W, 3).
    static func image(_ name: String) throws -> MetricImage {
        let (v, shape) = try array(pixels, name)
        return try MetricImage(width: shape[1], height: shape[0], channels: shape.count == 3 ? shape[2] : 1,
                               pixels: v.map { UInt8($0) })
    }
}

/// ||a - b|| / ||b|| in double precision.
func relativeL2(_ a: Tensor, _ b: [Double]) -> Double {
    precondition(a.count == b.count, "comparing \(a.count) values with \(b.count)")
    var num = 0.0, den = 0.0
    for i in 0..<b.count {
        let d = Double(a.data[i]) - b[i]
        num += d * d
        den += b[i] * b[i]
    }
    return (num / max(den, 1e-300)).squareRoot()
}
