import Imaging
import Foundation
import Testing
import NN
import Tensor
@testable import Evaluation

/// LPIPS, CLIP and DINO against PyTorch references of the same architectures with random weights.
@Suite("Embedding metrics against PyTorch") struct NetworkReferenceTests {
    typealias R = EvaluationReferences

    @Test func lpipsMatchesTorch() throws {
        let headsPath = try String(contentsOfFile: R.path(R.networks, "lpips_heads_path.txt"), encoding: .utf8)
        #expect(LegacyTorchFile.isLegacy([UInt8](try Data(contentsOf: URL(fileURLWithPath: headsPath)).prefix(16))))
        let lpips = try LPIPS(alexnetFile: R.path(R.networks, "alexnet.pth"), headsFile: headsPath)
        for (a, b, reference) in [("lpips_a", "lpips_b", "lpips"), ("lpips256_a", "lpips256_b", "lpips256")] {
            let d = lpips.distance(try R.tensor(R.networks, a), try R.tensor(R.networks, b))
            let expected = try R.array(R.networks, reference).values
            let error = relativeL2(Tensor(shape: [d.count], data: d.map { Float($0) }), expected)
            print("LPIPS \(reference) (lpips' real alex.pth heads, random AlexNet): \(d) vs torch \(expected), relative L2 \(error)")
            #expect(error < 1e-4)
        }
    }

    @Test(arguments: ["clip_hf", "clip_customnet"])
    func clipImageAndTextFeatures(file: String) throws {
        let clip = try CLIPScore(files: [R.path(R.networks, file + ".safetensors")])
        let image = try clip.imageEmbeddings(pixels: try R.tensor(R.networks, "clip_pixels"))
        let imageError = relativeL2(image, try R.array(R.networks, "clip_image").values)
        let (ids, shape) = try R.array(R.networks, "clip_ids")
        let rows = (0..<shape[0]).map { r in (0..<shape[1]).map { Int(ids[r * shape[1] + $0]) } }
        let text = try clip.textEmbeddings(tokens: rows)
        let textError = relativeL2(text, try R.array(R.networks, "clip_text").values)
        print("CLIP \(file) (\(clip.provenance)): get_image_features relative L2 \(imageError), get_text_features \(textError)")
        #expect(imageError < 1e-4)
        #expect(textError < 1e-4)
    }

    @Test func dinoClassTokenMatchesTorch() throws {
        let dino = try DINOScore(file: R.path(R.networks, "dino.pth"))
        #expect(dino.model.configuration == .vitSmall16)
        let tokens = try dino.model.embed(try R.tensor(R.networks, "dino_pixels"))
        let error = relativeL2(tokens, try R.array(R.networks, "dino").values)
        print("DINO ViT-S/16 (legacy torch.save file) class token [2, 384]: relative L2 \(error)")
        #expect(error < 1e-4)
    }

    @Test(arguments: [("teapots_clip", "/usr/share/assimp/models/Collada/teapots_reference.png", EmbeddingPreprocessing.clip),
                      ("logo_dino", "/usr/share/assimp/models/glTF/BoxTextured-glTF/CesiumLogoFlat.png", EmbeddingPreprocessing.dino)])
    func preprocessingGeometryMatchesPillow(name: String, path: String, preprocessing: EmbeddingPreprocessing) throws {
        let crop = try preprocessing.geometry(try MetricImage.load(path))
        let (expected, shape) = try R.array(R.networks, "preprocess_" + name)
        #expect(shape == [preprocessing.crop, preprocessing.crop, 3])
        var worst = 0.0, total = 0.0
        for i in 0..<(crop.width * crop.height) {
            for c in 0..<3 {
                let d = abs(Double(crop.pixels[4 * i + c]) - expected[3 * i + c])
                worst = max(worst, d)
                total += d
            }
        }
        let mean = total / Double(expected.count)
        print("preprocessing \(name): max |difference| \(worst) levels, mean \(mean) vs Pillow BICUBIC + centre crop")
        // Pillow resizes 8-bit images in two fixed-point passes with the intermediate rounded and clamped
        // to 0...255; Imaging keeps the intermediate in float, so hard edges (the logo) differ by a few levels.
        #expect(worst <= 10)
        #expect(mean < 0.25)
    }
}
