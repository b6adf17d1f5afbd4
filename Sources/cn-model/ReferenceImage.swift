import Diffusion
import Foundation
import Imaging
import Shards
import Tensor

/// The reference view as zero123's demo feeds it: RGBA composited over white, resized to the
/// model's resolution when it differs (Pillow-style bicubic), [1, 3, S, S] in [-1, 1]
/// (`ToTensor() * 2 - 1`).
struct ReferenceImage {
    /// The pixels at the model's resolution, opaque.
    let pixels: RGBAImage
    /// Whether the file had to be resized.
    let resized: Bool

    /// Loads `path` at `size` x `size`.
    init(path: String, size: Int) throws {
        let loaded = try ModelInput.loadRGB(path, size: size)
        resized = loaded.resized
        pixels = RGBAImage(packedRGB: loaded.bytes, width: size, height: size)
    }

    /// The reference as a [1, 3, S, S] tensor in [-1, 1].
    var tensor: Tensor { ImageTensor.fromRGB(pixels.packedRGB, width: pixels.width, height: pixels.height) }

    /// CustomNet's concat image for a box [x0, y0, x1, y1] on the 256 canvas, built as its
    /// dataset loader builds it (the reference, whose object is 200 px in 256, grown back to fill
    /// the box), as a [1, 3, 256, 256] tensor.
    func concatTensor(box: [Int]) throws -> Tensor {
        let bbox = PixelBox(x: box[0], y: box[1], width: box[2] - box[0], height: box[3] - box[1])
        let concat = try ConcatBuilder.build(flatReference: pixels, bbox: bbox, imageWidth: pixels.width, imageHeight: pixels.height)
        return ImageTensor.fromRGB(concat.packedRGB, width: concat.width, height: concat.height)
    }
}
