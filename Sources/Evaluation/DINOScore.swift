// DreamBooth's DINO metric (Ruiz et al., "DreamBooth", CVPR 2023, section 4.1; CustomNet section 4
// reports it as DINO-I): the cosine similarity of DINO ViT-S/16 class tokens of the generated image
// and the reference, raw in [-1, 1] (not x 100).
import Tensor

/// DINO-I with a loaded `DINOViT` and DINO's evaluation preprocessing.
public final class DINOScore {
    /// The network.
    public let model: DINOViT
    /// Resize 256, crop 224, ImageNet mean / std.
    public let preprocessing: EmbeddingPreprocessing

    /// Loads `dino_deitsmall16_pretrain.pth` (or any file in its layout).
    public init(file: String) throws {
        model = try DINOViT.load(from: try WeightFiles.open(file))
        var p = EmbeddingPreprocessing.dino
        p.crop = model.configuration.imageSize
        preprocessing = p
    }

    /// Wraps a model.
    public init(model: DINOViT) {
        self.model = model
        var p = EmbeddingPreprocessing.dino
        p.crop = model.configuration.imageSize
        preprocessing = p
    }

    /// The class tokens [B, width] of images.
    public func embeddings(_ images: [MetricImage]) throws -> Tensor {
        try model.embed(try preprocessing.pixels(images))
    }

    /// cos(DINO(prediction), DINO(reference)).
    public func similarity(_ prediction: MetricImage, _ reference: MetricImage) throws -> Double {
        let e = try embeddings([prediction, reference])
        return cosineSimilarity(row(e, 0), row(e, 1))
    }
}
