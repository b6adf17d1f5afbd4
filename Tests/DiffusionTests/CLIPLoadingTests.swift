import Testing
import Foundation
import Support
import Tensor
import NN
@testable import Diffusion

/// A source that knows shapes only (reading a value fails), to check shape inference at full size
/// without allocating a model.
struct ShapeOnlySource: TensorSource {
    let shapes: [String: [Int]]
    var keys: [String] { shapes.keys.sorted() }
    func shape(of key: String) -> [Int]? { shapes[key] }
    func tensor(_ key: String) throws -> Tensor { throw CLIPError(.missingWeights, "shape-only source has no value for \(key)") }
}

/// Key tables, shape inference and errors of the CLIP encoders (no Python needed).
@Suite("CLIP loading") struct CLIPLoadingTests {
    /// ViT-L/14 as zero123 stores it (OpenAI names, fused in_proj) under `cond_stage_model.model.visual.`.
    static func vitL14Shapes() -> [String: [Int]] {
        let p = "cond_stage_model.model.visual."
        var s: [String: [Int]] = [p + "conv1.weight": [1024, 3, 14, 14], p + "class_embedding": [1024],
                                  p + "positional_embedding": [257, 1024], p + "proj": [1024, 768],
                                  p + "ln_pre.weight": [1024], p + "ln_pre.bias": [1024],
                                  p + "ln_post.weight": [1024], p + "ln_post.bias": [1024],
                                  "model.diffusion_model.out.2.weight": [4, 320, 3, 3]]
        for i in 0..<24 {
            let b = p + "transformer.resblocks.\(i)."
            s[b + "attn.in_proj_weight"] = [3072, 1024]
            s[b + "attn.in_proj_bias"] = [3072]
            s[b + "attn.out_proj.weight"] = [1024, 1024]
            s[b + "attn.out_proj.bias"] = [1024]
            for n in ["ln_1", "ln_2"] { s[b + n + ".weight"] = [1024]; s[b + n + ".bias"] = [1024] }
            s[b + "mlp.c_fc.weight"] = [4096, 1024]
            s[b + "mlp.c_fc.bias"] = [4096]
            s[b + "mlp.c_proj.weight"] = [1024, 4096]
            s[b + "mlp.c_proj.bias"] = [1024]
        }
        return s
    }

    @Test func vitL14ShapeIsReadFromTheWeights() throws {
        let source = ShapeOnlySource(shapes: Self.vitL14Shapes())
        let prefix = CLIPVisionTransformer.zero123Prefix
        #expect(try CLIPVisionTransformer.naming(of: source, prefix: prefix) == .openAI)
        let view = try TransformedSource(source, transforms: CLIPKeyTables.vision(.openAI, prefix: prefix))
        let configuration = try CLIPVisionConfiguration.inferred(from: view, prefix: prefix)
        #expect(configuration == .vitL14)
        #expect(configuration.heads == 16 && configuration.imageSize == 224 && configuration.tokens == 257)
        #expect(view.shape(of: prefix + ".transformer.resblocks.23.attn.v_proj.weight") == [1024, 1024])
        #expect(view.shape(of: prefix + ".transformer.resblocks.23.attn.in_proj_weight") == nil)
    }

    @Test func clipLTextShapeIsReadFromCustomNetNames() throws {
        let p = "text_encoder.transformer.text_model."
        var shapes: [String: [Int]] = [p + "embeddings.token_embedding.weight": [49408, 768],
                                       p + "embeddings.position_embedding.weight": [77, 768]]
        for i in 0..<12 { shapes[p + "encoder.layers.\(i).mlp.fc1.weight"] = [3072, 768] }
        let source = ShapeOnlySource(shapes: shapes)
        let view = try TransformedSource(source, transforms: CLIPKeyTables.text(.transformers, prefix: CLIPTextTransformer.customNetPrefix))
        let configuration = try CLIPTextConfiguration.inferred(from: view, prefix: CLIPTextTransformer.customNetPrefix)
        #expect(configuration == .clipL)
        #expect(configuration.heads == 12)
    }

    @Test func transformersCLIPModelExtrasAreDroppedAndTheRestLoadsStrictly() throws {
        let original = CLIPTextTransformer(CLIPTextConfiguration(vocabularySize: 50, width: 64, layers: 1, maxPositions: 16),
                                           initialization: .random(seed: 7))
        var tensors = original.stateDict()
        tensors["text_model.embeddings.position_ids"] = Tensor(shape: [1, 16])
        tensors["vision_model.embeddings.patch_embedding.weight"] = Tensor(shape: [64, 3, 14, 14])
        tensors["visual_projection.weight"] = Tensor(shape: [32, 64])
        tensors["text_projection.weight"] = Tensor(shape: [32, 64])
        tensors["logit_scale"] = Tensor(shape: [])
        let loaded = try CLIPTextTransformer.load(from: TensorDictionary(tensors), prefix: "")
        let ids = [[1, 5, 49, 0, 3], [2, 2, 2, 2, 2]]
        #expect(try loaded.encode(tokens: ids) == original.encode(tokens: ids))
    }

    @Test func anUnknownKeyUnderThePrefixIsNamed() throws {
        let model = CLIPVisionTransformer(CLIPVisionConfiguration(width: 64, layers: 1, patchSize: 8, gridSize: 2, embedDim: 16),
                                          initialization: .random(seed: 8))
        var tensors = model.stateDict(prefix: "visual")
        tensors["visual.transformer.resblocks.0.attn.extra"] = Tensor(shape: [3])
        do {
            _ = try CLIPVisionTransformer.load(from: TensorDictionary(tensors), prefix: "visual")
            Issue.record("an unexpected key was accepted")
        } catch {
            #expect(String(describing: error).contains("visual.transformer.resblocks.0.attn.extra"))
        }
    }

    @Test func aMissingTowerIsOneReadableLine() {
        let source = ShapeOnlySource(shapes: ["model.diffusion_model.out.2.weight": [4, 320, 3, 3]])
        #expect(throws: CLIPError.self) { try CLIPVisionTransformer.load(from: source) }
        do {
            _ = try CLIPTextTransformer.load(from: source)
        } catch let error as CLIPError {
            #expect(error.reason == .missingWeights)
            #expect(error.message.contains("text_encoder.transformer.text_model.embeddings.token_embedding.weight"))
            #expect(!error.message.contains("\n"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func badInputsAreRefused() throws {
        let vision = CLIPVisionTransformer(CLIPVisionConfiguration(width: 64, layers: 1, patchSize: 8, gridSize: 2, embedDim: 16),
                                           initialization: .random(seed: 9))
        #expect(throws: CLIPError(.badInput, "CLIP image input has shape [1, 3, 15, 16], expected [B, 3, 16, 16]")) {
            try vision.encode(Tensor(shape: [1, 3, 15, 16]))
        }
        #expect(try vision.encode(Tensor(shape: [2, 3, 16, 16])).shape == [2, 16])
        #expect(throws: CLIPError.self) { try CLIPImagePreprocessing.preprocess(Tensor(shape: [1, 4, 8, 8])) }
        let text = CLIPTextTransformer(CLIPTextConfiguration(vocabularySize: 10, width: 64, layers: 1, maxPositions: 4),
                                       initialization: .random(seed: 10))
        for bad in [[[1, 2, 10]], [[1, 2, 3, 4, 5]], [[1, 2], [3]], [[Int]]()] {
            #expect(throws: CLIPError.self) { try text.encode(tokens: bad) }
        }
        #expect(try text.encode(tokens: [[1, 2, 3, 4]]).shape == [1, 4, 64])
    }

    @Test func errorKindsAreStable() {
        #expect(CLIPError.Reason.allCases.map(\.rawValue)
                == ["clip-missing-weights", "clip-inconsistent-weights", "clip-bad-input", "clip-bad-tokens"])
    }
}
