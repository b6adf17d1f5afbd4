import Foundation
import Testing
import Support
import NN
@testable import Tensor

/// AdamW against its formula, parameter groups, clipping, warm-up and EMA.
@Suite("Optimizer") struct OptimizerTests {
    @Test func adamWMatchesTorchFormula() {
        let p = Parameter(Tensor(shape: [2], data: [1.0, -2.0]))
        let fast = Parameter(Tensor(shape: [1], data: [0.5]))
        let opt = AdamW(groups: [ParameterGroup(name: "base", parameters: [p], weightDecay: 0.1),
                                 ParameterGroup(name: "fast", parameters: [fast], learningRateMultiplier: 10, weightDecay: 0)],
                        learningRate: 0.01)
        var ref: [Double] = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
        var refFast = 0.5, mf = 0.0, vf = 0.0
        for t in 1...3 {
            let grads: [Float] = [0.3 * Float(t), -0.1]
            p.grad = Tensor(shape: [2], data: grads)
            fast.grad = Tensor(shape: [1], data: [0.2])
            opt.step()
            let bc1 = 1 - pow(0.9, Double(t)), bc2 = 1 - pow(0.999, Double(t))
            for i in 0..<2 {
                ref[i] *= 1 - 0.01 * 0.1
                m[i] = 0.9 * m[i] + 0.1 * Double(grads[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(grads[i]) * Double(grads[i])
                ref[i] -= 0.01 / bc1 * m[i] / (v[i].squareRoot() / bc2.squareRoot() + 1e-8)
            }
            mf = 0.9 * mf + 0.1 * 0.2
            vf = 0.999 * vf + 0.001 * 0.04
            refFast -= 0.1 / bc1 * mf / (vf.squareRoot() / bc2.squareRoot() + 1e-8)
        }
        for i in 0..<2 { #expect(abs(Double(p.value.data[i]) - ref[i]) < 1e-6) }
        #expect(abs(Double(fast.value.data[0]) - refFast) < 1e-6)
    }

    @Test func groupsByName() {
        var r = SeededRandom(seed: 80)
        let attn = CrossAttention(queryDim: 4, contextDim: 3, heads: 1, dimHead: 4, dual: true, random: &r)
        let groups = ParameterGroup.partition(attn.namedParameters(), rules: [("to_k_text", 10), ("to_v_text", 10)])
        #expect(groups.map(\.name) == ["base", "to_k_text", "to_v_text"])
        #expect(groups[1].learningRateMultiplier == 10 && groups[1].parameters.count == 1)
        #expect(groups[0].parameters.count == 5)
    }

    @Test func clippingAndWarmup() {
        let p = Parameter(Tensor(shape: [2], data: [0, 0]))
        p.grad = Tensor(shape: [2], data: [3, 4])
        let norm = clipGradientNorm([p], maxNorm: 1)
        #expect(norm == 5)
        #expect(abs(p.grad.data[0] - 0.6) < 1e-6 && abs(p.grad.data[1] - 0.8) < 1e-6)
        let w = LinearWarmup(warmupSteps: 100, startFactor: 0)
        #expect(w.factor(step: 0) == 0 && w.factor(step: 50) == 0.5 && w.factor(step: 100) == 1 && w.factor(step: 5000) == 1)
    }

    @Test func emaFollowsLitEma() {
        let p = Parameter(Tensor(shape: [1], data: [0]))
        let ema = ExponentialMovingAverage([p], decay: 0.9999)
        p.value = Tensor(shape: [1], data: [1])
        ema.update()  // decay = min(0.9999, 2/11)
        #expect(abs(ema.shadow[0].data[0] - (1 - 2.0 / 11)) < 1e-6)
        ema.copyToParameters()
        #expect(p.value.data[0] == ema.shadow[0].data[0])
    }
}
