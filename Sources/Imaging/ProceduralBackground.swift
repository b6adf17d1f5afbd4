import Support

/// Backgrounds drawn from an item's random stream when no photo folder is configured, so the
/// demo runs anywhere: a sky gradient above a horizon, a textured floor below it (value noise),
/// with a short description used by templated captions.
public enum ProceduralBackground {
    /// The palette of skies and floors, with the words captions use for them.
    static let skies: [(name: String, top: RGBA8, bottom: RGBA8)] = [
        ("a clear blue sky", RGBA8(70, 130, 210), RGBA8(190, 215, 240)),
        ("an orange sunset sky", RGBA8(90, 60, 120), RGBA8(250, 170, 90)),
        ("a grey overcast sky", RGBA8(120, 125, 135), RGBA8(200, 200, 205)),
        ("a pale studio backdrop", RGBA8(225, 225, 220), RGBA8(245, 245, 240)),
    ]
    static let floors: [(name: String, color: RGBA8)] = [
        ("a wooden floor", RGBA8(140, 95, 60)), ("green grass", RGBA8(70, 130, 60)),
        ("a sandy beach", RGBA8(215, 190, 140)), ("a concrete floor", RGBA8(150, 150, 150)),
        ("a marble table", RGBA8(220, 215, 210)),
    ]

    /// Draws a background of `size` x `size` and returns it with its description and horizon row.
    public static func make(size: Int, random: inout SeededRandom) -> (image: RGBAImage, description: String, horizon: Int) {
        let sky = skies[random.integer(below: skies.count)]
        let floor = floors[random.integer(below: floors.count)]
        let horizon = Int(Double(size) * random.uniform(0.35, 0.6))
        let noise = ValueNoise(random: &random, cells: 16)
        var image = RGBAImage(width: size, height: size, fill: RGBA8(0, 0, 0))
        for y in 0..<size {
            for x in 0..<size {
                let color: (Double, Double, Double)
                if y < horizon {
                    let t = Double(y) / Double(max(1, horizon))
                    color = mix(sky.top, sky.bottom, t)
                } else {
                    let depth = Double(y - horizon) / Double(max(1, size - horizon))
                    let n = noise.sample(Double(x) / Double(size) * 6, Double(y) / Double(size) * 6 / max(0.2, depth))
                    let shade = 0.7 + 0.3 * depth + 0.12 * (n - 0.5)
                    color = (Double(floor.color.r) * shade, Double(floor.color.g) * shade, Double(floor.color.b) * shade)
                }
                let i = (y * size + x) * 4
                image.pixels[i] = clamp(color.0); image.pixels[i + 1] = clamp(color.1); image.pixels[i + 2] = clamp(color.2)
            }
        }
        return (image, "\(floor.name) under \(sky.name)", horizon)
    }

    static func mix(_ a: RGBA8, _ b: RGBA8, _ t: Double) -> (Double, Double, Double) {
        (Double(a.r) * (1 - t) + Double(b.r) * t, Double(a.g) * (1 - t) + Double(b.g) * t, Double(a.b) * (1 - t) + Double(b.b) * t)
    }

    static func clamp(_ v: Double) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }
}

/// Smooth value noise on a periodic lattice (bilinear interpolation of random lattice values).
struct ValueNoise {
    let cells: Int
    let values: [Double]

    init(random: inout SeededRandom, cells: Int) {
        self.cells = cells
        values = (0..<(cells * cells)).map { _ in random.unitDouble() }
    }

    func sample(_ x: Double, _ y: Double) -> Double {
        let fx = x - x.rounded(.down), fy = y - y.rounded(.down)
        let ix = ((Int(x.rounded(.down)) % cells) + cells) % cells, iy = ((Int(y.rounded(.down)) % cells) + cells) % cells
        func v(_ i: Int, _ j: Int) -> Double { values[((j % cells) * cells) + (i % cells)] }
        let sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy)
        let top = v(ix, iy) * (1 - sx) + v(ix + 1, iy) * sx
        let bottom = v(ix, iy + 1) * (1 - sx) + v(ix + 1, iy + 1) * sx
        return top * (1 - sy) + bottom * sy
    }
}
