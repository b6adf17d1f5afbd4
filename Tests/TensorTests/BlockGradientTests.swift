import Testing
import Support
import NN
@testable import Tensor

/// Finite-difference checks of the composite blocks (every input and every parameter).
@Suite("Block gradients") struct BlockGradientTests {
    @Test(arguments: [4, 6]) func resBlock(outChannels: Int) {
        var r = SeededRandom(seed: 30)
        // zeroInitOutput false: with ldm's zero-initialised last conv the first half gets no gradient.
        let block = ResBlock(channels: 4, outChannels: outChannels, embDim: 5, groups: 2, zeroInitOutput: false, random: &r)
        for p in [block.norm1, block.norm2] {
            p.weight.value = Tensor.randomNormal(shape: p.weight.value.shape, random: &r)
            p.bias.value = Tensor.randomNormal(shape: p.bias.value.shape, random: &r)
        }
        let x = Box(randomTensor([2, 4, 4, 3], seed: 31)), emb = Box(randomTensor([2, 5], seed: 32))
        let vars = [GradVariable.box("x", x), .box("emb", emb)] + block.namedParameters().map { GradVariable.parameter($0.0, $0.1) }
        gradientCheck("resblock \(outChannels)", variables: vars, outputShape: [2, outChannels, 4, 3],
                      forward: { block.forward(x.t, emb: emb.t) }, run: { g in
            block.zeroGradients()
            _ = block.forward(x.t, emb: emb.t)
            let (dx, dEmb) = block.backward(g)
            return [dx.data, dEmb.data] + block.parameters.map(\.grad.data)
        })
    }

    @Test(arguments: [false, true]) func transformerBlock(dual: Bool) {
        var r = SeededRandom(seed: 40)
        let block = TransformerBlock(dim: 8, heads: 2, dimHead: 4, contextDim: 6, dualCrossAttention: dual, random: &r)
        for n in [block.norm1, block.norm2, block.norm3] {
            n.weight.value = Tensor.randomNormal(shape: [8], random: &r)
            n.bias.value = Tensor.randomNormal(shape: [8], std: 0.5, random: &r)
        }
        block.attn2.textScale = 0.7
        let x = Box(randomTensor([2, 5, 8], seed: 41)), context = Box(randomTensor([2, 3, 6], seed: 42))
        let vars = [GradVariable.box("x", x), .box("context", context)] + block.namedParameters().map { GradVariable.parameter($0.0, $0.1) }
        gradientCheck("transformer dual=\(dual)", variables: vars, outputShape: [2, 5, 8],
                      forward: { block.forward(x.t, context: context.t) }, run: { g in
            block.zeroGradients()
            _ = block.forward(x.t, context: context.t)
            let (dx, dCtx) = block.backward(g)
            return [dx.data, dCtx.data] + block.parameters.map(\.grad.data)
        }, step: 1e-1)
    }

    @Test func dualCrossAttentionIsTwoAttentionsAdded() {
        var r = SeededRandom(seed: 50)
        let layer = CrossAttention(queryDim: 4, contextDim: 3, heads: 2, dimHead: 2, dual: true, textScale: 0.5, random: &r)
        let x = randomTensor([1, 3, 4], seed: 51), ctx = randomTensor([1, 4, 3], seed: 52)
        let y = layer.forward(x, context: ctx)
        let parts = split(ctx, sizes: [1, 3], axis: 1)
        let q = layer.toQ.forward(x)
        let img = scaledDotProductAttention(q: q, k: layer.toK.forward(parts[0]), v: layer.toV.forward(parts[0]), heads: 2).output
        var txt = scaledDotProductAttention(q: q, k: layer.toKText!.forward(parts[1]), v: layer.toVText!.forward(parts[1]), heads: 2).output
        txt.scaleInPlace(0.5)
        let expected = layer.toOut.forward(add(img, txt))
        for i in 0..<y.count { #expect(abs(y.data[i] - expected.data[i]) < 1e-6) }
        let names = layer.namedParameters().map(\.0)
        #expect(names.contains("to_k_text.weight") && names.contains("to_out.0.bias"))
    }
}

/// The SpatialTransformer wrapper (GroupNorm, proj_in, token layout, block, proj_out, residual).
@Suite("SpatialTransformer gradients") struct SpatialTransformerGradientTests {
    @Test func spatialTransformer() {
        var r = SeededRandom(seed: 45)
        let st = SpatialTransformer(channels: 4, heads: 2, dimHead: 3, contextDim: 5, groups: 2,
                                    dualCrossAttention: true, zeroInitOutput: false, random: &r)
        let x = Box(randomTensor([2, 4, 3, 2], seed: 46)), context = Box(randomTensor([2, 5, 5], seed: 47))
        let vars = [GradVariable.box("x", x), .box("context", context)] + st.namedParameters().map { GradVariable.parameter($0.0, $0.1) }
        gradientCheck("spatial transformer", variables: vars, outputShape: [2, 4, 3, 2],
                      forward: { st.forward(x.t, context: context.t) }, run: { g in
            st.zeroGradients()
            _ = st.forward(x.t, context: context.t)
            let (dx, dCtx) = st.backward(g)
            return [dx.data, dCtx.data] + st.parameters.map(\.grad.data)
        }, step: 5e-2)
    }

    @Test func layoutRoundTrip() {
        let x = randomTensor([2, 3, 4, 5], seed: 48)
        let t = imageToTokens(x)
        #expect(t.shape == [2, 20, 3])
        #expect(t.data[1 * 60 + 7 * 3 + 2] == x.data[1 * 60 + 2 * 20 + 7])
        #expect(tokensToImage(t, height: 4, width: 5) == x)
    }
}

/// ldm's Upsample / Downsample / time_embed layers.
@Suite("Sampling layer gradients") struct SamplingGradientTests {
    @Test func upsampleAndDownsample() {
        var r = SeededRandom(seed: 90)
        let up = Upsample(channels: 2, outChannels: 3, random: &r), down = Downsample(channels: 3, random: &r)
        let x = Box(randomTensor([2, 2, 3, 3], seed: 91))
        let vars = [GradVariable.box("x", x)] + (up.namedParameters(prefix: "up") + down.namedParameters(prefix: "down")).map { GradVariable.parameter($0.0, $0.1) }
        gradientCheck("up+down", variables: vars, outputShape: [2, 3, 3, 3],
                      forward: { down.forward(up.forward(x.t)) }, run: { g in
            up.zeroGradients(); down.zeroGradients()
            _ = down.forward(up.forward(x.t))
            return [up.backward(down.backward(g)).data] + up.parameters.map(\.grad.data) + down.parameters.map(\.grad.data)
        })
    }

    @Test func timestepEmbedder() {
        var r = SeededRandom(seed: 92)
        let te = TimestepEmbedder(modelChannels: 6, embDim: 8, random: &r)
        let t: [Float] = [3, 250, 999]
        gradientCheck("time_embed", variables: te.namedParameters().map { GradVariable.parameter($0.0, $0.1) },
                      outputShape: [3, 8], forward: { te.forward(t) }, run: { g in
            te.zeroGradients()
            _ = te.forward(t)
            te.backward(g)
            return te.parameters.map(\.grad.data)
        })
    }
}
