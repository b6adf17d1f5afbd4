import Foundation
import Support
import Tensor
import NN
import TestSupport

/// The PyTorch references of scripts/interop/clip_reference.py, generated once per test run
/// into a scratch folder (the tests fail, never skip, without a Python that has torch).
enum CLIPFixtures {
    /// Why the references could not be made.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The folder holding the references, or why it could not be made.
    static let folder: Result<URL, Failure> = {
        do {
            let python = try Python.interpreter(importing: ["torch", "transformers", "safetensors", "numpy", "PIL"])
            let folder = TestPaths.scratchFolder("clip-reference")
            let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/interop/clip_reference.py").path
            let result = try ProcessRunner.run(python, [script, folder.path])
            guard result.status == 0 else {
                return .failure(Failure(description: "clip_reference.py exited with \(result.status): \(result.stderr)"))
            }
            return .success(folder)
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()

    /// A reference array as float32 (values and shape).
    static func tensor(_ name: String) throws -> Tensor {
        let (values, shape) = try array(name)
        return Tensor(shape: shape, data: values.map { Float($0) })
    }

    /// A reference array in double precision.
    static func array(_ name: String) throws -> (values: [Double], shape: [Int]) {
        let url = try folder.get().appendingPathComponent(name + ".npy")
        return try NPY.decode(Array(Data(contentsOf: url)))
    }

    /// A reference safetensors file as a tensor source.
    static func source(_ name: String) throws -> TensorDictionary {
        TensorDictionary(try Safetensors.read(try folder.get().appendingPathComponent(name + ".safetensors").path).tensors)
    }

    /// Token ids stored as float64, one row per batch item.
    static func tokens(_ name: String) throws -> [[Int]] {
        let (values, shape) = try array(name)
        return (0..<shape[0]).map { b in (0..<shape[1]).map { Int(values[b * shape[1] + $0]) } }
    }
}

/// ||a - b||_2 / ||b||_2 in double precision.
func relativeL2(_ a: Tensor, _ b: [Double]) -> Double {
    precondition(a.count == b.count, "comparing \(a.count) values with \(b.count)")
    var difference = 0.0, norm = 0.0
    for i in 0..<b.count {
        let d = Double(a.data[i]) - b[i]
        difference += d * d
        norm += b[i] * b[i]
    }
    return (difference / max(norm, 1e-300)).squareRoot()
}

/// The largest |a - b|.
func maxAbsoluteError(_ a: Tensor, _ b: [Double]) -> Double {
    precondition(a.count == b.count, "comparing \(a.count) values with \(b.count)")
    var worst = 0.0
    for i in 0..<b.count { worst = max(worst, abs(Double(a.data[i]) - b[i])) }
    return worst
}
