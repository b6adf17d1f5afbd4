import Testing
import Support
import NN
@testable import Tensor

/// The same gradient checks at sizes above each op's parallel threshold, so the chunked code
/// paths (row-split sgemm, chunked norms, softmax, GEGLU, point-wise loops, upsampling) are
/// exercised, not only the serial fallbacks the small checks take.
@Suite("Parallel code paths") struct ParallelPathTests {
    @Test func chunkingIsActive() {
        #expect(ComputeThreads.threadCount >= 1)
        #expect(ComputeThreads.chunkCount(130, minimumPerThread: 64) == min(2, ComputeThreads.threadCount))
    }

    /// Broadcast add and in-place add above their parallel thresholds give every element exactly
    /// (a + b of the matching element, the same float addition as one thread).
    @Test func broadcastAddRows() {
        let a = randomTensor([4, 16, 32, 32], seed: 110), b = randomTensor([4, 16, 1, 1], seed: 111)
        let y = add(a, b), same = add(a, a)
        var inPlace = a
        inPlace.addInPlace(a)
        for i in 0..<a.count {
            #expect(y.data[i] == a.data[i] + b.data[i / 1024])
            #expect(same.data[i] == a.data[i] + a.data[i] && inPlace.data[i] == same.data[i])
        }
        let db = addBackward(a.shape, b.shape, y).db
        for r in 0..<b.count {
            let sum = (0..<1024).reduce(0.0) { $0 + Double(y.data[r * 1024 + $1]) }
            #expect(abs(Double(db.data[r]) - sum) <= 1e-5 * max(1, abs(sum)))
        }
    }

    @Test func linearRowSplit() {
        var r = SeededRandom(seed: 100)
        let layer = Linear(80, 100, random: &r)
        let x = Box(randomTensor([40, 80], seed: 101))
        gradientCheck("linear parallel", variables: [.box("x", x), .parameter("weight", layer.weight), .parameter("bias", layer.bias!)],
                      outputShape: [40, 100], forward: { layer.forward(x.t) }, run: { g in
            layer.zeroGradients()
            _ = layer.forward(x.t)
            return [layer.backward(g).data, layer.weight.grad.data, layer.bias!.grad.data]
        }, samples: 12)
    }

    @Test func layerNormRows() {
        let layer = LayerNorm(8)
        let x = Box(randomTensor([2, 65, 8], seed: 102))
        gradientCheck("layernorm parallel", variables: [.box("x", x), .parameter("weight", layer.weight)],
                      outputShape: [2, 65, 8], forward: { layer.forward(x.t) }, run: { g in
            layer.zeroGradients()
            _ = layer.forward(x.t)
            return [layer.backward(g).data, layer.weight.grad.data]
        }, samples: 12)
    }

    @Test func softmaxAndGegluRows() {
        let x = Box(randomTensor([130, 5], seed: 103))
        gradientCheck("softmax parallel", variables: [.box("x", x)], outputShape: [130, 5], forward: { softmax(x.t) },
                      run: { g in [softmaxBackward(output: softmax(x.t), g).data] }, samples: 12)
        let y = Box(randomTensor([70, 8], seed: 104))
        gradientCheck("geglu parallel", variables: [.box("x", y)], outputShape: [70, 4], forward: { geglu(y.t) },
                      run: { g in [gegluBackward(y.t, g).data] }, samples: 12)
    }

    @Test func pointwiseRanges() {
        let x = Box(randomTensor([65_600], seed: 105, std: 2))
        gradientCheck("silu parallel", variables: [.box("x", x)], outputShape: [65_600], forward: { silu(x.t) },
                      run: { g in [siluBackward(x.t, g).data] }, samples: 8)
        gradientCheck("gelu parallel", variables: [.box("x", x)], outputShape: [65_600], forward: { gelu(x.t) },
                      run: { g in [geluBackward(x.t, g).data] }, samples: 8)
    }

    @Test func upsamplePlanes() {
        let x = Box(randomTensor([4, 4, 3, 3], seed: 106))
        gradientCheck("upsample parallel", variables: [.box("x", x)], outputShape: [4, 4, 6, 6], forward: { upsampleNearest2x(x.t) },
                      run: { g in [upsampleNearest2xBackward(g).data] }, samples: 12)
    }
}
