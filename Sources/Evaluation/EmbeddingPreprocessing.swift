// Follows openai/CLIP `clip/clip.py` `_transform(n_px)` (torchvision `Resize(n_px, BICUBIC)`,
// `CenterCrop(n_px)`, RGB, `ToTensor`, `Normalize` with CLIP's mean and std) and
// facebookresearch/dino `eval_knn.py` / `eval_linear.py` (`Resize(256, interpolation=3)` = bicubic,
// `CenterCrop(224)`, `ToTensor`, ImageNet `Normalize`), with torchvision
// `transforms/functional.py` for the geometry (`Resize(int)` scales the shorter side to the size
// and the longer to int(size * long / short); `center_crop` starts at int(round((H - h) / 2)),
// Python's round half to even).
import Imaging
import Tensor

/// The resize / crop / normalise an embedding network expects, applied to 8-bit RGB images.
/// Resizing is Imaging's Pillow-style antialiased bicubic (Pillow `Image.resize(BICUBIC)`, which
/// torchvision calls on PIL images); Pillow rounds its 8-bit result through fixed-point
/// arithmetic, so a resized pixel may differ from Pillow's by one level.
public struct EmbeddingPreprocessing: Sendable, Equatable {
    /// The shorter side after resizing, and the square crop taken from the centre.
    public var resize: Int, crop: Int
    /// Per-channel mean and standard deviation of x / 255.
    public var mean: [Float], std: [Float]

    /// OpenAI CLIP's own preprocessing at 224 (`clip.load`'s `preprocess`).
    public static let clip = EmbeddingPreprocessing(resize: 224, crop: 224, mean: [0.48145466, 0.4578275, 0.40821073],
                                                    std: [0.26862954, 0.26130258, 0.27577711])
    /// DINO's evaluation preprocessing: shorter side 256, centre 224, ImageNet statistics.
    public static let dino = EmbeddingPreprocessing(resize: 256, crop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// The resized and cropped 8-bit image (before normalisation).
    public func geometry(_ image: MetricImage) throws -> RGBAImage {
        var rgba = image.rgbaImage
        let short = min(rgba.width, rgba.height), long = max(rgba.width, rgba.height)
        let newLong = resize * long / short
        let (w, h) = rgba.width <= rgba.height ? (resize, newLong) : (newLong, resize)
        rgba = rgba.resized(width: w, height: h, filter: .bicubic)
        guard rgba.width >= crop, rgba.height >= crop else {
            throw EvaluationError(.tooSmall, "a \(rgba.width)x\(rgba.height) image cannot give a \(crop) crop")
        }
        let top = Int((Double(rgba.height - crop) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(rgba.width - crop) / 2).rounded(.toNearestOrEven))
        var out = [UInt8](repeating: 0, count: crop * crop * 4)
        for y in 0..<crop {
            let src = ((top + y) * rgba.width + left) * 4
            for k in 0..<(crop * 4) { out[y * crop * 4 + k] = rgba.pixels[src + k] }
        }
        return RGBAImage(width: crop, height: crop, pixels: out)
    }

    /// Network input [B, 3, crop, crop]: (x / 255 - mean) / std per channel.
    public func pixels(_ images: [MetricImage]) throws -> Tensor {
        let plane = crop * crop
        var t = Tensor(shape: [images.count, 3, crop, crop])
        for (b, image) in images.enumerated() {
            let g = try geometry(image)
            for i in 0..<plane {
                for c in 0..<3 {
                    t.data[(b * 3 + c) * plane + i] = (Float(g.pixels[4 * i + c]) / 255 - mean[c]) / std[c]
                }
            }
        }
        return t
    }
}
