import Foundation
import Support
import Tensor
import TestSupport

/// Helpers shared by the VAE tests: reading the Python references and comparing tensors.
enum AutoencoderReference {
    /// A .npy file of a reference folder in double precision.
    static func doubles(_ folder: URL, _ name: String) throws -> (values: [Double], shape: [Int]) {
        try NPY.decode([UInt8](Data(contentsOf: folder.appendingPathComponent(name + ".npy"))))
    }

    /// ||ours - reference||_2 / ||reference||_2, accumulated in double.
    static func relativeL2(_ ours: Tensor, _ reference: (values: [Double], shape: [Int])) -> Double {
        precondition(ours.shape == reference.shape, "shape \(ours.shape) vs reference \(reference.shape)")
        var diff = 0.0, norm = 0.0
        for (a, b) in zip(ours.data, reference.values) {
            diff += (Double(a) - b) * (Double(a) - b)
            norm += b * b
        }
        return (diff / max(norm, 1e-300)).squareRoot()
    }

    /// Channels `range` of an NCHW reference (values and shape), e.g. to leave out clamped channels.
    static func channels(_ reference: (values: [Double], shape: [Int]), _ range: Range<Int>) -> (values: [Double], shape: [Int]) {
        let n = reference.shape[0], c = reference.shape[1], plane = reference.shape[2] * reference.shape[3]
        var values: [Double] = []
        for image in 0..<n { values += reference.values[((image * c + range.lowerBound) * plane)..<((image * c + range.upperBound) * plane)] }
        return (values, [n, range.count] + reference.shape[2...])
    }

    /// Channels `range` of an NCHW tensor.
    static func channels(_ t: Tensor, _ range: Range<Int>) -> Tensor {
        let selected = channels((t.data.map(Double.init), t.shape), range)
        return Tensor(shape: selected.shape, data: selected.values.map(Float.init))
    }

    /// Runs a script of scripts/interop with $CN_PYTHON (or the repository's .venv); throws with
    /// its output when it fails.
    static func runScript(_ name: String, _ arguments: [String]) throws {
        let (status, output) = try Python.run(script: "scripts/interop/\(name)", arguments)
        guard status == 0 else { throw Failure(description: "\(name) exited with \(status): \(output)") }
    }

    /// A failed reference script.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
