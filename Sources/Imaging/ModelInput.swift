/// The reference image as an image-conditioned model (zero123 / CustomNet) is fed it, and its
/// output back as an image: shared by `cn-model sample` and the synthesize stage's diffusion
/// backend so that both make the same view of the same file.
public enum ModelInput {
    /// `path` composited over white and resized to `size` x `size` when it differs, byte for byte
    /// as zero123's scripts do it in Pillow (`Image.resize(..., BICUBIC)` of the RGB image:
    /// `pillowBicubic`), as packed RGB bytes; `resized` tells whether the file had to be resized.
    public static func loadRGB(_ path: String, size: Int) throws -> (bytes: [UInt8], resized: Bool) {
        let image = try ImageFile.loadRGBA(path).composited(over: .white)
        let rgb = image.packedRGB
        guard image.width != size || image.height != size else { return (rgb, false) }
        return (pillowBicubic(rgb: rgb, width: image.width, height: image.height, toWidth: size, toHeight: size), true)
    }

    /// Packed 8-bit RGB resized exactly as Pillow's `ImagingResample` with the BICUBIC filter
    /// (src/libImaging/Resample.c): coefficients from `precompute_coeffs` (support widened by the
    /// scale when shrinking), rounded to 22-bit fixed point (`normalize_coeffs_8bpc`), a horizontal
    /// pass rounded and clipped to 8 bits, then a vertical pass.
    public static func pillowBicubic(rgb: [UInt8], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [UInt8] {
        let precision = 22
        func coefficients(_ inSize: Int, _ outSize: Int) -> (bounds: [(Int, Int)], k: [[Int]]) {
            let scale = Double(inSize) / Double(outSize), filterScale = max(scale, 1), support = 2 * filterScale
            var bounds: [(Int, Int)] = [], k: [[Int]] = []
            for xx in 0..<outSize {
                let center = (Double(xx) + 0.5) * scale, ss = 1 / filterScale
                let xmin = max(0, Int(center - support + 0.5)), xmax = min(inSize, Int(center + support + 0.5)) - xmin
                var w = (0..<max(0, xmax)).map { x -> Double in
                    let t = abs((Double(x + xmin) - center + 0.5) * ss)
                    if t < 1 { return (1.5 * t - 2.5) * t * t + 1 }
                    if t < 2 { return (((t - 5) * t + 8) * t - 4) * -0.5 }
                    return 0
                }
                let total = w.reduce(0, +)
                if total != 0 { w = w.map { $0 / total } }
                let unit = Double(1 << precision)
                k.append(w.map { $0 < 0 ? Int(-0.5 + $0 * unit) : Int(0.5 + $0 * unit) })
                bounds.append((xmin, max(0, xmax)))
            }
            return (bounds, k)
        }
        func clip(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v >> precision))) }
        let half = 1 << (precision - 1)
        var mid = rgb, midWidth = width
        if toWidth != width {
            let (bounds, k) = coefficients(width, toWidth)
            mid = [UInt8](repeating: 0, count: toWidth * height * 3)
            for y in 0..<height {
                for x in 0..<toWidth {
                    let (first, count) = bounds[x]
                    for c in 0..<3 {
                        var acc = half
                        for j in 0..<count { acc += Int(rgb[(y * width + first + j) * 3 + c]) * k[x][j] }
                        mid[(y * toWidth + x) * 3 + c] = clip(acc)
                    }
                }
            }
            midWidth = toWidth
        }
        guard toHeight != height else { return mid }
        let (bounds, k) = coefficients(height, toHeight)
        var out = [UInt8](repeating: 0, count: midWidth * toHeight * 3)
        for y in 0..<toHeight {
            let (first, count) = bounds[y]
            for x in 0..<midWidth {
                for c in 0..<3 {
                    var acc = half
                    for j in 0..<count { acc += Int(mid[((first + j) * midWidth + x) * 3 + c]) * k[y][j] }
                    out[(y * midWidth + x) * 3 + c] = clip(acc)
                }
            }
        }
        return out
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
