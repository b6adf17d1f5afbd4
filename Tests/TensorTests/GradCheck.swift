import Testing
import Support
import NN
@testable import Tensor

/// A mutable tensor the finite-difference checker can perturb.
final class Box {
    var t: Tensor
    init(_ t: Tensor) { self.t = t }
}

/// One differentiable quantity: how to read/write its elements and where its analytic gradient is.
struct GradVariable {
    let name: String
    let count: Int
    let get: (Int) -> Float
    let set: (Int, Float) -> Void

    static func box(_ name: String, _ b: Box) -> GradVariable {
        GradVariable(name: name, count: b.t.count, get: { b.t.data[$0] }, set: { b.t.data[$0] = $1 })
    }

    static func parameter(_ name: String, _ p: Parameter) -> GradVariable {
        GradVariable(name: name, count: p.value.count, get: { p.value.data[$0] }, set: { p.value.data[$0] = $1 })
    }
}

/// Central finite differences (Richardson-extrapolated) of L = sum(w * f(...)) (accumulated in double) against analytic
/// gradients. `run(w)` must do forward + backward with upstream gradient w and return the
/// analytic gradient of each variable (same order as `variables`); `forward()` recomputes f.
/// Relative error = ||numeric - analytic||_2 / max(||numeric||_2, ||analytic||_2) over up to
/// `samples` sampled coordinates per variable (all when the variable is small).
func gradientCheck(_ label: String, variables: [GradVariable], outputShape: [Int],
                   forward: () -> Tensor, run: (Tensor) -> [[Float]],
                   step: Float = 2e-2, samples: Int = 24, tolerance: Double = 1e-3, seed: UInt64 = 99) {
    var random = SeededRandom(seed: seed)
    let w = Tensor.randomNormal(shape: outputShape, random: &random)
    let analytic = run(w)
    func loss() -> Double {
        let y = forward()
        var s = 0.0
        for i in 0..<y.count { s += Double(y.data[i]) * Double(w.data[i]) }
        return s
    }
    var worst = 0.0, worstName = ""
    defer { print("gradient check \(label): worst relative error \(worst) (\(worstName))") }
    for (vi, v) in variables.enumerated() {
        #expect(analytic[vi].count == v.count, "\(label): analytic gradient of \(v.name) has \(analytic[vi].count) values, expected \(v.count)")
        let indices: [Int] = v.count <= samples ? Array(0..<v.count) : (0..<samples).map { _ in random.integer(below: v.count) }
        var diff2 = 0.0, num2 = 0.0, ana2 = 0.0
        for i in indices {
            let original = v.get(i)
            func central(_ h: Float) -> Double {
                v.set(i, original + h)
                let plus = loss()
                v.set(i, original - h)
                let minus = loss()
                v.set(i, original)
                return (plus - minus) / Double((original + h) - (original - h))
            }
            // Richardson extrapolation of two central differences: O(h^4) truncation, so the
            // step can stay large enough that float32 rounding in the forward pass is negligible.
            let numeric = (4 * central(step / 2) - central(step)) / 3
            let a = Double(analytic[vi][i])
            diff2 += (numeric - a) * (numeric - a)
            num2 += numeric * numeric
            ana2 += a * a
        }
        let rel = diff2.squareRoot() / max(num2.squareRoot(), ana2.squareRoot(), 1e-12)
        if rel >= worst { worst = rel; worstName = v.name }
        #expect(rel < tolerance, "\(label): gradient of \(v.name) relative error \(rel) (|numeric| \(num2.squareRoot()), |analytic| \(ana2.squareRoot()))")
        #expect(num2 > 0 || ana2 == 0, "\(label): \(v.name) gradient check saw only zeros")
    }
}

/// A random tensor for tests.
func randomTensor(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var r = SeededRandom(seed: seed)
    return Tensor.randomNormal(shape: shape, std: std, random: &r)
}
