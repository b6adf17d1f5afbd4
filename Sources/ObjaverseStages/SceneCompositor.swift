import Imaging
import Support

/// Places a cut-out object into a background so it does not float (the "w/o DataPipeline"
/// ablation of CustomNet shows naive blending does): a soft elliptical contact shadow under
/// its base, and an optional shift of its mean colour towards the background around it.
public enum SceneCompositor {
    /// Composites `object` (RGBA) into `background` with its top-left corner at (x, y).
    public static func place(_ object: RGBAImage, into background: inout RGBAImage, x: Int, y: Int,
                             shadowOpacity: Double, shadowBlur: Double, colorMatch: Double) {
        if shadowOpacity > 0 { castShadow(under: PixelRect(x: x, y: y, width: object.width, height: object.height), on: &background, opacity: shadowOpacity, blur: shadowBlur) }
        var placed = object
        if colorMatch > 0 { matchColor(&placed, to: background, around: PixelRect(x: x, y: y, width: object.width, height: object.height), strength: colorMatch) }
        background.composite(placed, atX: x, y: y)
    }

    /// Darkens an ellipse under the bottom edge of `box`, fading smoothly over `blur` pixels.
    static func castShadow(under box: PixelRect, on image: inout RGBAImage, opacity: Double, blur: Double) {
        let cx = Double(box.x) + Double(box.width) / 2, cy = Double(box.y + box.height) - 1
        let rx = max(2, Double(box.width) * 0.45), ry = max(2, Double(box.height) * 0.07)
        let reach = Int(rx + blur + 1)
        for py in max(0, Int(cy - ry - blur))..<min(image.height, Int(cy + ry + blur) + 1) {
            for px in max(0, Int(cx) - reach)..<min(image.width, Int(cx) + reach + 1) {
                let dx = (Double(px) + 0.5 - cx) / rx, dy = (Double(py) + 0.5 - cy) / ry
                let distance = (dx * dx + dy * dy).squareRoot()
                let edge = blur / max(rx, ry)
                let t = max(0, min(1, (1 + edge - distance) / max(edge * 2, 1e-6)))
                let darkness = opacity * t * t * (3 - 2 * t)
                let i = (py * image.width + px) * 4
                for c in 0..<3 { image.pixels[i + c] = UInt8((Double(image.pixels[i + c]) * (1 - darkness)).rounded()) }
            }
        }
    }

    /// Moves the object's alpha-weighted mean colour a fraction `strength` towards the mean of the
    /// background under its box.
    static func matchColor(_ object: inout RGBAImage, to background: RGBAImage, around box: PixelRect, strength: Double) {
        let area = background.bounds.intersection(box)
        guard !area.isEmpty else { return }
        var bg = [0.0, 0.0, 0.0], ob = [0.0, 0.0, 0.0], weight = 0.0
        for y in area.y..<area.maxY {
            for x in area.x..<area.maxX {
                let i = (y * background.width + x) * 4
                for c in 0..<3 { bg[c] += Double(background.pixels[i + c]) }
            }
        }
        for c in 0..<3 { bg[c] /= Double(area.width * area.height) }
        for i in stride(from: 0, to: object.pixels.count, by: 4) {
            let a = Double(object.pixels[i + 3]) / 255
            for c in 0..<3 { ob[c] += Double(object.pixels[i + c]) * a }
            weight += a
        }
        guard weight > 0 else { return }
        let shift = (0..<3).map { strength * (bg[$0] - ob[$0] / weight) }
        for i in stride(from: 0, to: object.pixels.count, by: 4) where object.pixels[i + 3] > 0 {
            for c in 0..<3 { object.pixels[i + c] = UInt8(max(0, min(255, (Double(object.pixels[i + c]) + shift[c]).rounded()))) }
        }
    }
}
