import Foundation
import Support
import Tensor
import TestSupport

/// Reference tensors written by the tests' Python (.npy) and the comparison the model checks use.
enum ReferenceData {
    /// Runs a reference script of scripts/interop that needs torch, diffusers and safetensors.
    static func generate(_ script: String, _ arguments: [String]) throws {
        _ = try ReferenceScript.run(script, importing: ["torch", "diffusers", "safetensors"], arguments)
    }

    /// A .npy file as float64 values with its shape.
    static func values(_ folder: URL, _ name: String) throws -> (values: [Double], shape: [Int]) {
        let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name + ".npy")))
        return try NPY.decode(bytes)
    }

    /// A .npy file as a float32 tensor.
    static func tensor(_ folder: URL, _ name: String) throws -> Tensor {
        let (v, shape) = try values(folder, name)
        return Tensor(shape: shape, data: v.map { Float($0) })
    }

    /// ||a - b|| / ||b|| in double precision.
    static func relativeL2(_ a: [Float], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "compared \(a.count) values with \(b.count)")
        var num = 0.0, den = 0.0
        for i in 0..<a.count {
            let d = Double(a[i]) - b[i]
            num += d * d
            den += b[i] * b[i]
        }
        return (num / max(den, 1e-300)).squareRoot()
    }
}

