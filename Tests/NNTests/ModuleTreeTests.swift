import Testing
import Support
import Tensor
import NN

/// The layer tree names parameters as ldm's module tree does, recursively.
@Suite("Module tree")
struct ModuleTreeTests {
    @Test func spatialTransformerKeysFollowLDM() {
        var r = SeededRandom(seed: 1)
        let st = SpatialTransformer(channels: 32, heads: 2, dimHead: 16, contextDim: 8, dualCrossAttention: true, random: &r)
        let names = st.namedParameters(prefix: "input_blocks.4.1").map(\.0)
        #expect(names.contains("input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight"))
        #expect(names.contains("input_blocks.4.1.transformer_blocks.0.attn2.to_k_text.weight"))
        #expect(names.contains("input_blocks.4.1.transformer_blocks.0.ff.net.0.proj.bias"))
        #expect(names.contains("input_blocks.4.1.proj_out.weight"))
        #expect(names.first == "input_blocks.4.1.norm.weight")
        #expect(Set(names).count == names.count)
        #expect(st.parameterCount == st.parameters.reduce(0) { $0 + $1.value.count })
    }

    @Test func sequentialAndModuleListNameChildrenByIndex() {
        var r = SeededRandom(seed: 2)
        let seq = Sequential([Linear(3, 4, random: &r), SiLU(), Linear(4, 2, random: &r)])
        #expect(seq.namedParameters().map(\.0) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        let list = ModuleList([Linear(2, 2, bias: false, random: &r), Linear(2, 2, bias: false, random: &r)])
        #expect(list.namedParameters(prefix: "blocks").map(\.0) == ["blocks.0.weight", "blocks.1.weight"])
        let x = Tensor.randomNormal(shape: [5, 3], random: &r)
        let y = seq.forward(x)
        #expect(y.shape == [5, 2])
        let dx = seq.backward(Tensor(shape: [5, 2], repeating: 1))
        #expect(dx.shape == [5, 3])
    }

    @Test func resBlockNormsUseLDMsEpsilon() {
        var r = SeededRandom(seed: 3)
        let block = ResBlock(channels: 32, outChannels: 64, embDim: 16, random: &r)
        #expect(block.norm1.eps == 1e-5 && block.norm2.eps == 1e-5)
        let st = SpatialTransformer(channels: 32, heads: 1, dimHead: 32, contextDim: 8, random: &r)
        #expect(st.norm.eps == 1e-6)
    }
}

/// Inference mode keeps no activations and allocates no gradients; the results are the same.
@Suite("Inference mode")
struct InferenceModeTests {
    @Test func noGradientsAndSameOutput() {
        var r = SeededRandom(seed: 4)
        let st = SpatialTransformer(channels: 32, heads: 2, dimHead: 16, contextDim: 8, zeroInitOutput: false, random: &r)
        let x = Tensor.randomNormal(shape: [1, 32, 4, 4], random: &r)
        let context = Tensor.randomNormal(shape: [1, 3, 8], random: &r)
        let inference = InferenceMode.run { st.forward(x, context: context) }
        #expect(st.parameters.allSatisfy { !$0.hasGradient })
        #expect(!st.parameters.isEmpty)
        let training = st.forward(x, context: context)
        #expect(training == inference)
        _ = st.backward(Tensor(shape: training.shape, repeating: 1))
        #expect(st.parameters.allSatisfy { $0.hasGradient })
    }
}

/// Placeholder initialisation skips random draws and leaves the stream untouched.
@Suite("Initialization")
struct InitializationTests {
    @Test func placeholdersAreZerosAndDrawNothing() {
        var random = SeededRandom(seed: 9)
        let layer = Initialization.placeholders { Linear(8, 4, random: &random) }
        #expect(layer.weight.value.data.allSatisfy { $0 == 0 } && layer.bias!.value.data.allSatisfy { $0 == 0 })
        var fresh = SeededRandom(seed: 9)
        #expect(random.next() == fresh.next())
        let drawn = Linear(8, 4, random: &random)
        #expect(drawn.weight.value.data.contains { $0 != 0 })
    }
}
