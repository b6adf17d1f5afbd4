import Testing
import Support
import Tensor
import NN

/// Loading through one-to-many key transforms, strictly, with one-line errors.
@Suite("State dict loading")
struct StateDictLoadingTests {
    /// A module with OpenAI CLIP-like fused attention stored in HF's split layout.
    final class Split: Module {
        let q: Linear, k: Linear, v: Linear, out: Linear
        init(random: inout SeededRandom) {
            q = Linear(4, 4, random: &random); k = Linear(4, 4, random: &random)
            v = Linear(4, 4, random: &random); out = Linear(4, 4, random: &random)
        }
        var children: [(String, any Module)] { [("q_proj", q), ("k_proj", k), ("v_proj", v), ("out_proj", out)] }
    }

    @Test func fusedInProjectionSplitsIntoQKV() throws {
        var r = SeededRandom(seed: 5)
        let fused = Tensor.randomNormal(shape: [12, 4], random: &r)
        let fusedBias = Tensor.randomNormal(shape: [12], random: &r)
        let source = TensorDictionary([
            "attn.in_proj_weight": fused, "attn.in_proj_bias": fusedBias,
            "attn.out_proj.weight": Tensor.randomNormal(shape: [4, 4], random: &r),
            "attn.out_proj.bias": Tensor(shape: [4]),
        ])
        let model = Split(random: &r)
        let report = try model.load(from: source, prefix: "attn", transforms: [
            .splitFused(suffix: "in_proj_weight", into: ["q_proj.weight", "k_proj.weight", "v_proj.weight"]),
            .splitFused(suffix: "in_proj_bias", into: ["q_proj.bias", "k_proj.bias", "v_proj.bias"]),
        ])
        #expect(report.loaded == 8 && report.missing.isEmpty && report.unexpected.isEmpty)
        #expect(model.k.weight.value.data == Array(fused.data[16..<32]))
        #expect(model.v.bias!.value.data == Array(fusedBias.data[8..<12]))
    }

    @Test func pointwiseConvReshapesBothWays() throws {
        var r = SeededRandom(seed: 6)
        let conv = Tensor.randomNormal(shape: [3, 2, 1, 1], random: &r)
        let view = try TransformedSource(TensorDictionary(["a.weight": conv]),
                                         transforms: [.pointwiseConvToLinear { $0.hasSuffix(".weight") }])
        #expect(view.shape(of: "a.weight") == [3, 2])
        let back = try TransformedSource(view, transforms: [.linearToPointwiseConv { _ in true }])
        #expect(try back.tensor("a.weight") == conv)
    }

    @Test func strictLoadNamesTheFirstOffendersOnOneLine() {
        var r = SeededRandom(seed: 7)
        let model = Linear(3, 2, random: &r)
        let source = TensorDictionary(["layer.weight": Tensor(shape: [2, 3]), "layer.extra": Tensor(shape: [1])])
        do {
            try model.load(from: source, prefix: "layer")
            Issue.record("a missing bias and an extra key must fail a strict load")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("layer.bias") && text.contains("layer.extra") && !text.contains("\n"))
        }
        let wrongShape = TensorDictionary(["layer.weight": Tensor(shape: [3, 3]), "layer.bias": Tensor(shape: [2])])
        #expect(throws: TensorError.self) { try model.load(from: wrongShape, prefix: "layer") }
    }
}
