import Testing
import Support
import Foundation
import NN
@testable import Tensor

/// Finite-difference checks of every op's hand-written backward pass.
@Suite("Op gradients") struct OpGradientTests {
    @Test func linear() {
        var r = SeededRandom(seed: 1)
        let layer = Linear(5, 4, random: &r)
        let x = Box(randomTensor([2, 3, 5], seed: 2))
        gradientCheck("linear", variables: [.box("x", x), .parameter("weight", layer.weight), .parameter("bias", layer.bias!)],
                      outputShape: [2, 3, 4], forward: { layer.forward(x.t) }, run: { w in
            layer.zeroGradients()
            _ = layer.forward(x.t)
            let dx = layer.backward(w)
            return [dx.data, layer.weight.grad.data, layer.bias!.grad.data]
        })
    }

    func checkConv(_ label: String, cin: Int, cout: Int, kernel: Int, stride: Int, padding: Int, h: Int, w: Int) {
        var r = SeededRandom(seed: 3)
        let layer = Conv2d(cin, cout, kernel: kernel, stride: stride, padding: padding, random: &r)
        let x = Box(randomTensor([3, cin, h, w], seed: 4))
        let ho = (h + 2 * padding - kernel) / stride + 1, wo = (w + 2 * padding - kernel) / stride + 1
        gradientCheck(label, variables: [.box("x", x), .parameter("weight", layer.weight), .parameter("bias", layer.bias!)],
                      outputShape: [3, cout, ho, wo], forward: { layer.forward(x.t) }, run: { g in
            layer.zeroGradients()
            _ = layer.forward(x.t)
            let dx = layer.backward(g)
            return [dx.data, layer.weight.grad.data, layer.bias!.grad.data]
        })
    }

    @Test func conv3x3() { checkConv("conv3x3", cin: 3, cout: 4, kernel: 3, stride: 1, padding: 1, h: 5, w: 6) }
    @Test func conv3x3Stride2() { checkConv("conv3x3 s2", cin: 2, cout: 3, kernel: 3, stride: 2, padding: 1, h: 7, w: 6) }
    @Test func conv1x1() { checkConv("conv1x1", cin: 4, cout: 3, kernel: 1, stride: 1, padding: 0, h: 4, w: 3) }
    @Test func conv5x5Padding1() { checkConv("conv5x5 p1", cin: 3, cout: 2, kernel: 5, stride: 1, padding: 1, h: 6, w: 7) }
    @Test func conv5x5Padding2() { checkConv("conv5x5 p2", cin: 2, cout: 3, kernel: 5, stride: 1, padding: 2, h: 6, w: 4) }
    @Test func conv3x3Padding2() { checkConv("conv3x3 p2", cin: 2, cout: 3, kernel: 3, stride: 1, padding: 2, h: 4, w: 5) }
    @Test func conv3x3NoPadding() { checkConv("conv3x3 p0", cin: 2, cout: 2, kernel: 3, stride: 1, padding: 0, h: 5, w: 5) }

    @Test func groupNorm() {
        let layer = GroupNorm(groups: 2, channels: 4, eps: 1e-5)
        var r = SeededRandom(seed: 5)
        layer.weight.value = Tensor.randomNormal(shape: [4], random: &r)
        layer.bias.value = Tensor.randomNormal(shape: [4], random: &r)
        let x = Box(randomTensor([2, 4, 3, 3], seed: 6))
        gradientCheck("groupnorm", variables: [.box("x", x), .parameter("weight", layer.weight), .parameter("bias", layer.bias)],
                      outputShape: [2, 4, 3, 3], forward: { layer.forward(x.t) }, run: { g in
            layer.zeroGradients()
            _ = layer.forward(x.t)
            return [layer.backward(g).data, layer.weight.grad.data, layer.bias.grad.data]
        })
    }

    @Test func layerNorm() {
        let layer = LayerNorm(6)
        var r = SeededRandom(seed: 7)
        layer.weight.value = Tensor.randomNormal(shape: [6], random: &r)
        layer.bias.value = Tensor.randomNormal(shape: [6], random: &r)
        let x = Box(randomTensor([2, 3, 6], seed: 8))
        gradientCheck("layernorm", variables: [.box("x", x), .parameter("weight", layer.weight), .parameter("bias", layer.bias)],
                      outputShape: [2, 3, 6], forward: { layer.forward(x.t) }, run: { g in
            layer.zeroGradients()
            _ = layer.forward(x.t)
            return [layer.backward(g).data, layer.weight.grad.data, layer.bias.grad.data]
        })
    }

    @Test func siluAndGelu() {
        let x = Box(randomTensor([3, 7], seed: 9, std: 2))
        gradientCheck("silu", variables: [.box("x", x)], outputShape: [3, 7], forward: { silu(x.t) },
                      run: { g in [siluBackward(x.t, g).data] })
        gradientCheck("gelu", variables: [.box("x", x)], outputShape: [3, 7], forward: { gelu(x.t) },
                      run: { g in [geluBackward(x.t, g).data] })
    }

    @Test func gegluGate() {
        let x = Box(randomTensor([2, 3, 8], seed: 10))
        gradientCheck("geglu", variables: [.box("x", x)], outputShape: [2, 3, 4], forward: { geglu(x.t) },
                      run: { g in [gegluBackward(x.t, g).data] })
    }

    @Test func softmaxLastDim() {
        let x = Box(randomTensor([4, 5], seed: 11))
        gradientCheck("softmax", variables: [.box("x", x)], outputShape: [4, 5], forward: { softmax(x.t) },
                      run: { g in [softmaxBackward(output: softmax(x.t), g).data] })
    }

    @Test(arguments: [(5, 5), (4, 7)]) func attention(lq: Int, lk: Int) {
        let q = Box(randomTensor([2, lq, 6], seed: 12)), k = Box(randomTensor([2, lk, 6], seed: 13))
        let v = Box(randomTensor([2, lk, 6], seed: 14))
        gradientCheck("sdpa \(lq)x\(lk)", variables: [.box("q", q), .box("k", k), .box("v", v)], outputShape: [2, lq, 6],
                      forward: { scaledDotProductAttention(q: q.t, k: k.t, v: v.t, heads: 2).output }, run: { g in
            let (_, p) = scaledDotProductAttention(q: q.t, k: k.t, v: v.t, heads: 2)
            let d = scaledDotProductAttentionBackward(q: q.t, k: k.t, v: v.t, probabilities: p, heads: 2, dOutput: g)
            return [d.dq.data, d.dk.data, d.dv.data]
        })
    }

    @Test func attentionInRowBlocks() {
        // Blocks of 3 query rows over 8 rows (3 + 3 + 2): same values as unblocked, correct gradients.
        let q = Box(randomTensor([2, 8, 6], seed: 25)), k = Box(randomTensor([2, 5, 6], seed: 26))
        let v = Box(randomTensor([2, 5, 6], seed: 27))
        let whole = scaledDotProductAttention(q: q.t, k: k.t, v: v.t, heads: 2).output
        let blocked = scaledDotProductAttention(q: q.t, k: k.t, v: v.t, heads: 2, rowBlock: 3).output
        for i in 0..<whole.count { #expect(abs(whole.data[i] - blocked.data[i]) < 1e-6) }
        gradientCheck("sdpa blocked", variables: [.box("q", q), .box("k", k), .box("v", v)], outputShape: [2, 8, 6],
                      forward: { scaledDotProductAttention(q: q.t, k: k.t, v: v.t, heads: 2, rowBlock: 3).output }, run: { g in
            let (_, p) = scaledDotProductAttention(q: q.t, k: k.t, v: v.t, heads: 2, rowBlock: 3)
            let d = scaledDotProductAttentionBackward(q: q.t, k: k.t, v: v.t, probabilities: p, heads: 2, dOutput: g, rowBlock: 3)
            return [d.dq.data, d.dk.data, d.dv.data]
        })
    }

    @Test func upsample() {
        let x = Box(randomTensor([2, 2, 3, 2], seed: 15))
        gradientCheck("upsample", variables: [.box("x", x)], outputShape: [2, 2, 6, 4], forward: { upsampleNearest2x(x.t) },
                      run: { g in [upsampleNearest2xBackward(g).data] })
    }

    @Test func concatAndSplit() {
        let a = Box(randomTensor([2, 3, 2, 2], seed: 16)), b = Box(randomTensor([2, 1, 2, 2], seed: 17))
        gradientCheck("concat", variables: [.box("a", a), .box("b", b)], outputShape: [2, 4, 2, 2],
                      forward: { concat([a.t, b.t], axis: 1) }, run: { g in
            split(g, sizes: [3, 1], axis: 1).map(\.data)
        })
        let x = Box(randomTensor([2, 5, 3], seed: 18))
        gradientCheck("split", variables: [.box("x", x)], outputShape: [2, 2, 3],
                      forward: { split(x.t, sizes: [3, 2], axis: 1)[1] }, run: { g in
            [concat([Tensor(shape: [2, 3, 3]), g], axis: 1).data]
        })
    }

    @Test func broadcasting() {
        let a = Box(randomTensor([2, 3, 2, 2], seed: 19)), b = Box(randomTensor([2, 3, 1, 1], seed: 20))
        gradientCheck("add", variables: [.box("a", a), .box("b", b)], outputShape: [2, 3, 2, 2],
                      forward: { add(a.t, b.t) }, run: { g in
            let d = addBackward(a.t.shape, b.t.shape, g)
            return [d.da.data, d.db.data]
        })
        let c = Box(randomTensor([3, 1, 4], seed: 21)), e = Box(randomTensor([5, 1], seed: 22))
        gradientCheck("mul", variables: [.box("c", c), .box("e", e)], outputShape: [3, 5, 4],
                      forward: { mul(c.t, e.t) }, run: { g in
            let d = mulBackward(c.t, e.t, g)
            return [d.da.data, d.db.data]
        })
    }

    @Test func losses() {
        let x = Box(randomTensor([3, 4], seed: 23)), target = randomTensor([3, 4], seed: 24)
        gradientCheck("mse", variables: [.box("x", x)], outputShape: [1],
                      forward: { Tensor(shape: [1], data: [mseLoss(x.t, target).loss]) },
                      run: { g in [mseLoss(x.t, target).gradient.data.map { $0 * g.data[0] }] })
        gradientCheck("mean", variables: [.box("x", x)], outputShape: [1],
                      forward: { Tensor(shape: [1], data: [mean(x.t)]) },
                      run: { g in [meanBackward(shape: x.t.shape, g.data[0]).data] })
    }

    @Test func timestepEmbeddingGradient() {
        let t = Box(Tensor(shape: [3], data: [0.5, 3.25, 7.0]))
        gradientCheck("timestep", variables: [.box("t", t)], outputShape: [3, 9],
                      forward: { timestepEmbedding(t.t.data, dim: 9) },
                      run: { g in [timestepEmbeddingBackward(t.t.data, dim: 9, g)] }, step: 1e-3)
    }

    @Test func timestepEmbeddingMatchesLDM() {
        // ldm: freqs = exp(-ln(10000) * arange(half) / half); cat([cos, sin]); odd dim padded with 0.
        let e = timestepEmbedding([10], dim: 5)
        #expect(e.shape == [1, 5])
        #expect(abs(e.data[0] - Float(cos(10.0))) < 1e-6)
        #expect(abs(e.data[1] - Float(cos(10.0 * 0.01))) < 1e-6)
        #expect(abs(e.data[2] - Float(sin(10.0))) < 1e-6)
        #expect(abs(e.data[3] - Float(sin(10.0 * 0.01))) < 1e-6)
        #expect(e.data[4] == 0)
    }
}

/// The vectorisable erf used by GELU and GEGLU against libm.
@Suite("Fast erf") struct FastErfTests {
    @Test func matchesErff() {
        var worst: Float = 0
        var x: Float = -9
        while x < 9 {
            worst = max(worst, abs(fastErf(x) - erff(x)))
            x += 0.00137
        }
        #expect(worst < 5e-7, "fastErf absolute error \(worst)")
        #expect(abs(fastErf(0)) < 1e-7 && fastErf(-30) == -1 && fastErf(30) == 1)
    }
}

/// The vectorisable exp used by softmax and SiLU against libm.
@Suite("Fast exp") struct FastExpTests {
    @Test func matchesExpf() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            worst = max(worst, abs(fastExp(x) - expf(x)) / expf(x))
            x += 0.0137
        }
        #expect(worst < 5e-7, "fastExp relative error \(worst)")
        #expect(fastExp(1000).isFinite && fastExp(-1000) >= 0 && fastExp(-1000) < 1e-37)
        let s = silu(Tensor(shape: [2], data: [-1000, 1000])).data
        #expect(abs(s[0]) < 1e-30 && s[1] == 1000)
    }
}
