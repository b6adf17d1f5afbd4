import Testing
import Foundation
import Support
import Tensor
import NN
@testable import Diffusion

/// The CLIP encoders and zero123's preprocessing against PyTorch / transformers references
/// (float64 models with float32-valued weights; Swift computes in float32).
@Suite("CLIP against PyTorch references") struct CLIPReferenceTests {
    @Test(arguments: [
        ("ldm", CLIPVisionTransformer.zero123Prefix, CLIPNaming.openAI),
        ("vision_hf", "", CLIPNaming.transformers),
    ])
    func imageEmbeddings(file: String, prefix: String, naming: CLIPNaming) throws {
        let source = try CLIPFixtures.source(file)
        #expect(try CLIPVisionTransformer.naming(of: source, prefix: prefix) == naming)
        let model = try CLIPVisionTransformer.load(from: source, prefix: prefix)
        #expect(model.configuration == CLIPVisionConfiguration(width: 128, layers: 2, patchSize: 14, gridSize: 4, embedDim: 96))
        let embeddings = try model.encode(try CLIPFixtures.tensor("pixels"))
        let expected = try CLIPFixtures.array("image_embeds")
        #expect(embeddings.shape == expected.shape)
        let error = relativeL2(embeddings, expected.values)
        print("CLIP image_embeds from \(file) (\(naming.rawValue) names): relative L2 \(error)")
        #expect(error < 1e-4)
    }

    @Test func imageEmbeddingsThroughZero123Preprocessing() throws {
        let model = try CLIPVisionTransformer.load(from: try CLIPFixtures.source("ldm"))
        let embeddings = try model.encode(image: try CLIPFixtures.tensor("image"))
        let error = relativeL2(embeddings, try CLIPFixtures.array("image_embeds_from_image").values)
        print("CLIP image_embeds from a [-1, 1] image through the bicubic preprocessing: relative L2 \(error)")
        #expect(error < 1e-4)
    }

    @Test(arguments: [
        ("ldm", CLIPTextTransformer.customNetPrefix, CLIPNaming.transformers),
        ("ldm", "cond_stage_model.model", CLIPNaming.openAI),
        ("text_hf", "", CLIPNaming.transformers),
    ])
    func textHiddenStates(file: String, prefix: String, naming: CLIPNaming) throws {
        let source = try CLIPFixtures.source(file)
        #expect(try CLIPTextTransformer.naming(of: source, prefix: prefix) == naming)
        let model = try CLIPTextTransformer.load(from: source, prefix: prefix)
        #expect(model.configuration == CLIPTextConfiguration(vocabularySize: 1000, width: 128, layers: 2))
        for length in [77, 12] {
            let hidden = try model.encode(tokens: try CLIPFixtures.tokens("ids\(length)"))
            let expected = try CLIPFixtures.array("hidden\(length)")
            #expect(hidden.shape == expected.shape)
            let error = relativeL2(hidden, expected.values)
            print("CLIP text last_hidden_state [2, \(length), 128] from \(file) under '\(prefix)' (\(naming.rawValue) names): relative L2 \(error)")
            #expect(error < 1e-4)
        }
    }

    @Test(arguments: ["down", "up", "teapots", "logo"])
    func bicubicResizeMatchesTorch(case name: String) throws {
        let input = try CLIPFixtures.tensor("resize_\(name)_in")
        let resized = CLIPImagePreprocessing.resizeBicubicAlignCorners(input, height: 224, width: 224)
        let single = try CLIPFixtures.array("resize_\(name)_f32"), double = try CLIPFixtures.array("resize_\(name)_f64")
        #expect(resized.shape == single.shape)
        let errorSingle = maxAbsoluteError(resized, single.values), errorDouble = maxAbsoluteError(resized, double.values)
        print("bicubic resize \(name) \(input.shape) -> 224: max |error| \(errorSingle) vs torch float32, \(errorDouble) vs torch float64")
        #expect(errorSingle < 1e-5)
        #expect(errorDouble < 1e-4)
    }

    @Test func zero123PreprocessingOfARealImage() throws {
        let pixels = try CLIPImagePreprocessing.preprocess(try CLIPFixtures.tensor("resize_teapots_in"))
        let expected = try CLIPFixtures.array("preprocess_teapots_f32")
        #expect(pixels.shape == expected.shape)
        let error = maxAbsoluteError(pixels, expected.values)
        print("zero123 preprocess of teapots_reference.png (640x480): max |error| \(error) vs torch float32")
        #expect(error < 1e-5 / 0.26130258)
    }
}
