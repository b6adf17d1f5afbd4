import Testing
import Foundation
import Support
@testable import Tensor

/// Finite-difference checks of the ops the CLIP encoders added: QuickGELU and causal attention.
@Suite("CLIP op gradients") struct CLIPOpGradientTests {
    @Test func quickGELUGradient() {
        let x = Box(randomTensor([3, 9], seed: 40, std: 2))
        gradientCheck("quick_gelu", variables: [.box("x", x)], outputShape: [3, 9], forward: { quickGELU(x.t) },
                      run: { g in [quickGELUBackward(x.t, g).data] })
    }

    @Test func quickGELUValues() {
        let x = Tensor(shape: [5], data: [-3, -0.5, 0, 0.7, 4])
        let y = quickGELU(x)
        for i in 0..<5 {
            let v = Double(x.data[i])
            let expected = v / (1 + Foundation.exp(-1.702 * v))
            #expect(abs(Double(y.data[i]) - expected) < 1e-6, "quickGELU(\(v)) = \(y.data[i]), expected \(expected)")
        }
    }

    @Test(arguments: [(6, 6, nil), (6, 6, 4), (4, 7, nil), (7, 4, 3)] as [(Int, Int, Int?)])
    func causalAttentionGradient(lq: Int, lk: Int, rowBlock: Int?) {
        let q = Box(randomTensor([2, lq, 6], seed: 41)), k = Box(randomTensor([2, lk, 6], seed: 42))
        let v = Box(randomTensor([2, lk, 6], seed: 43))
        gradientCheck("causal sdpa \(lq)x\(lk) block \(rowBlock.map(String.init) ?? "-")",
                      variables: [.box("q", q), .box("k", k), .box("v", v)], outputShape: [2, lq, 6],
                      forward: { scaledDotProductAttention(q: q.t, k: k.t, v: v.t, heads: 2, causal: true, rowBlock: rowBlock).output },
                      run: { g in
            let (_, p) = scaledDotProductAttention(q: q.t, k: k.t, v: v.t, heads: 2, causal: true, rowBlock: rowBlock)
            let d = scaledDotProductAttentionBackward(q: q.t, k: k.t, v: v.t, probabilities: p, heads: 2, dOutput: g,
                                                      causal: true, rowBlock: rowBlock)
            return [d.dq.data, d.dk.data, d.dv.data]
        })
    }

    /// Row i of causal attention equals unmasked attention of query i over keys 0...i alone, and
    /// the probabilities above the diagonal are exactly zero.
    @Test func causalMatchesPrefixAttention() {
        let l = 5, width = 8, heads = 2
        let q = randomTensor([1, l, width], seed: 44), k = randomTensor([1, l, width], seed: 45)
        let v = randomTensor([1, l, width], seed: 46)
        let (out, p) = scaledDotProductAttention(q: q, k: k, v: v, heads: heads, causal: true)
        for i in 0..<l {
            let qi = Tensor(shape: [1, 1, width], data: Array(q.data[(i * width)..<((i + 1) * width)]))
            let kp = Tensor(shape: [1, i + 1, width], data: Array(k.data[0..<((i + 1) * width)]))
            let vp = Tensor(shape: [1, i + 1, width], data: Array(v.data[0..<((i + 1) * width)]))
            let reference = scaledDotProductAttention(q: qi, k: kp, v: vp, heads: heads).output
            for c in 0..<width {
                #expect(abs(out.data[i * width + c] - reference.data[c]) < 1e-6, "row \(i) column \(c)")
            }
            for h in 0..<heads {
                for j in (i + 1)..<l { #expect(p.data[(h * l + i) * l + j] == 0, "head \(h) p[\(i), \(j)] is not masked") }
            }
        }
    }
}
