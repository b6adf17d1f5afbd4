/// The reference image as an image-conditioned model (zero123 / CustomNet) is fed it, and its
/// output back as an image: shared by `cn-model sample` and the synthesize stage's diffusion
/// backend so that both make the same view of the same file.
public enum ModelInput {
    /// `path` composited over white and resized (bicubic, Pillow-style) to `size` x `size` when it
    /// differs, as packed RGB bytes; `resized` tells whether the file had to be resized.
    public static func loadRGB(_ path: String, size: Int) throws -> (bytes: [UInt8], resized: Bool) {
        var image = try ImageFile.loadRGBA(path).composited(over: .white)
        let resized = image.width != size || image.height != size
        if resized { image = image.resized(width: size, height: size, filter: ResampleFilter.bicubic) }
        var rgb = [UInt8](repeating: 0, count: size * size * 3)
        for i in 0..<(size * size) {
            rgb[3 * i] = image.pixels[4 * i]
            rgb[3 * i + 1] = image.pixels[4 * i + 1]
            rgb[3 * i + 2] = image.pixels[4 * i + 2]
        }
        return (rgb, resized)
    }

    /// Packed RGB bytes as an opaque image.
    public static func opaque(rgb: [UInt8], width: Int, height: Int) -> RGBAImage {
        var rgba = RGBAImage(width: width, height: height)
        for i in 0..<(width * height) {
            rgba.pixels[4 * i] = rgb[3 * i]; rgba.pixels[4 * i + 1] = rgb[3 * i + 1]
            rgba.pixels[4 * i + 2] = rgb[3 * i + 2]; rgba.pixels[4 * i + 3] = 255
        }
        return rgba
    }
}
