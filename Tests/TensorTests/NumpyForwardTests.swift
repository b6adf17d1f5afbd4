import Foundation
import Testing
import Support
import TestSupport
import NN
@testable import Tensor

/// Forward results against the independent NumPy reference in scripts/interop/tensor_reference.py.
@Suite("NumPy forward references") struct NumpyForwardTests {
    @Test func missingInterpreterFailsLoudly() {
        do {
            _ = try PythonRunner.interpreter(candidates: ["/nonexistent/python", "/bin/false"])
            Issue.record("a missing interpreter was accepted")
        } catch {
            #expect(String(describing: error).contains("no Python that imports numpy, safetensors"))
        }
        #expect(PythonRunner.candidates().last == TestPaths.repositoryRoot.appendingPathComponent(".venv/bin/python").path)
    }

    @Test func forwardMatchesNumpy() throws {
        let folder = TestPaths.scratchFolder("tensor-numpy")
        defer { try? FileManager.default.removeItem(at: folder) }
        var params: [String: [String: Any]] = [:]
        var expected: [String: Tensor] = [:]
        func save(_ name: String, _ t: Tensor) throws {
            try Data(NPY.encode(float32: t.data, shape: t.shape)).write(to: folder.appendingPathComponent(name + ".npy"))
        }
        var r = SeededRandom(seed: 60)
        for (name, k, s, p) in [("conv3", 3, 1, 1), ("conv3s2", 3, 2, 1), ("conv1", 1, 1, 0)] {
            let conv = Conv2d(5, 6, kernel: k, stride: s, padding: p, random: &r)
            let x = Tensor.randomNormal(shape: [2, 5, 7, 6], random: &r)
            try save(name + "_x", x)
            try save(name + "_w", conv.weight.value)
            try save(name + "_b", conv.bias!.value)
            params[name] = ["op": "conv2d", "stride": s, "padding": p]
            expected[name] = conv.forward(x)
        }
        let gn = GroupNorm(groups: 4, channels: 8, eps: 1e-6)
        gn.weight.value = Tensor.randomNormal(shape: [8], random: &r)
        gn.bias.value = Tensor.randomNormal(shape: [8], random: &r)
        let gx = Tensor.randomNormal(shape: [2, 8, 5, 5], std: 3, random: &r)
        try save("gn_x", gx); try save("gn_gamma", gn.weight.value); try save("gn_beta", gn.bias.value)
        params["gn"] = ["op": "group_norm", "groups": 4, "eps": 1e-6]
        expected["gn"] = gn.forward(gx)
        for (name, lq, lk) in [("selfattn", 9, 9), ("crossattn", 9, 4), ("longattn", 300, 260)] {
            let q = Tensor.randomNormal(shape: [2, lq, 16], random: &r)
            let k = Tensor.randomNormal(shape: [2, lk, 16], random: &r)
            let v = Tensor.randomNormal(shape: [2, lk, 16], random: &r)
            try save(name + "_q", q); try save(name + "_k", k); try save(name + "_v", v)
            params[name] = ["op": "attention", "heads": 4]
            expected[name] = scaledDotProductAttention(q: q, k: k, v: v, heads: 4).output
        }
        let ggx = Tensor.randomNormal(shape: [3, 4, 10], std: 2, random: &r)
        try save("geglu_x", ggx)
        params["geglu"] = ["op": "geglu"]
        expected["geglu"] = geglu(ggx)
        try JSONSerialization.data(withJSONObject: params).write(to: folder.appendingPathComponent("params.json"))

        _ = try PythonRunner.runScript("tensor_reference.py", [folder.path])

        for (name, mine) in expected.sorted(by: { $0.key < $1.key }) {
            let (values, shape) = try NPY.decode(Array(try Data(contentsOf: folder.appendingPathComponent(name + "_out.npy"))))
            #expect(shape == mine.shape, "\(name): numpy shape \(shape) vs \(mine.shape)")
            var worst = 0.0
            for i in 0..<min(values.count, mine.count) {
                worst = max(worst, abs(values[i] - Double(mine.data[i])) / max(1, abs(values[i])))
            }
            print("numpy forward \(name): max error \(worst)")
            #expect(worst < 1e-4, "\(name): max error \(worst) against numpy")
        }
    }
}
