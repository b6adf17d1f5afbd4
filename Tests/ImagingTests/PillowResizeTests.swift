import Foundation
import Testing
import TestSupport
@testable import Imaging

/// Resizing agrees with Pillow's Image.resize on RGBA images (Pillow premultiplies too, but keeps
/// 8-bit premultiplied intermediates, so values may differ by rounding: at most 4 levels on a
/// smooth picture with alpha >= 128). `.area` equals Pillow's BOX at integer factors only.
@Suite struct PillowResizeTests {
    @Test(arguments: [("BOX", ResampleFilter.area, 61, 48), ("BILINEAR", .bilinear, 61, 37), ("BICUBIC", .bicubic, 61, 37),
                      ("BILINEAR", .bilinear, 250, 190), ("BICUBIC", .bicubic, 250, 190), ("NEAREST", .nearest, 250, 190),
                      ("NEAREST", .nearest, 50, 30)])
    func matchesPillow(pillowFilter: String, filter: ResampleFilter, width: Int, height: Int) throws {
        let folder = TestPaths.scratchFolder("resize")
        defer { try? FileManager.default.removeItem(at: folder) }
        // a smooth RGBA picture with a soft alpha ramp (so premultiplication matters)
        var image = RGBAImage(width: 122, height: 96)
        for y in 0..<96 { for x in 0..<122 {
            let wave = Int(40 * sin(Double(x) / 5) * cos(Double(y) / 7))
            image[x, y] = RGBA8(UInt8(x * 2), UInt8(y * 2 + x / 2), UInt8(100 + wave), UInt8(128 + x))
        } }
        let pillow = try Self.pillowResize(image, pillowFilter, width, height, in: folder)
        let ours = image.resized(width: width, height: height, filter: filter)
        var worst = 0, differing = 0
        for i in stride(from: 0, to: pillow.count, by: 4) where pillow[i + 3] >= 128 {
            var d = 0
            for c in 0..<4 { d = max(d, abs(Int(pillow[i + c]) - Int(ours.pixels[i + c]))) }
            worst = max(worst, d)
            if d > 0 { differing += 1 }
        }
        if filter == .nearest {
            // same source pixels except where (i + 0.5) * in / out is an exact integer (fixed-point ties)
            #expect(differing * 20 <= width * height, "NEAREST \(width)x\(height): \(differing) pixels differ")
        } else {
            #expect(worst <= 4, "\(pillowFilter) \(width)x\(height): max difference \(worst)")
        }
    }

    /// Pillow's `Image.resize` of `image` with the named filter (Image.Resampling), as RGBA bytes.
    static func pillowResize(_ image: RGBAImage, _ filter: String, _ width: Int, _ height: Int, in folder: URL) throws -> [UInt8] {
        let python = try Tools.pillowPython()
        let input = folder.appendingPathComponent("in-\(filter)-\(width)x\(height).rgba").path
        try Data(image.pixels).write(to: URL(fileURLWithPath: input))
        let script = """
        import sys
        from PIL import Image
        data = open(sys.argv[1], "rb").read()
        im = Image.frombytes("RGBA", (int(sys.argv[5]), int(sys.argv[6])), data)
        out = im.resize((int(sys.argv[3]), int(sys.argv[4])), getattr(Image.Resampling, sys.argv[2]))
        open(sys.argv[1] + ".out", "wb").write(out.tobytes())
        """
        let result = try Tools.run(python, ["-c", script, input, filter, "\(width)", "\(height)", "\(image.width)", "\(image.height)"])
        #expect(result.status == 0, "Pillow failed: \(result.stderr)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: input + ".out")))
    }

    /// On opaque high-frequency pictures (seeded noise; a one-pixel checkerboard with stripes),
    /// where the filters differ from one another by tens of levels, each filter stays within 1
    /// level of Pillow's: only the last rounding may differ (Pillow's 22-bit fixed-point weights).
    @Test(arguments: [("BOX", ResampleFilter.area, 61, 48), ("BILINEAR", .bilinear, 61, 37),
                      ("BICUBIC", .bicubic, 61, 37), ("BILINEAR", .bilinear, 250, 190), ("BICUBIC", .bicubic, 250, 190),
                      ("BICUBIC", .bicubic, 97, 131)])
    func matchesPillowOnHighFrequencies(pillowFilter: String, filter: ResampleFilter, width: Int, height: Int) throws {
        let folder = TestPaths.scratchFolder("resize-hf")
        defer { try? FileManager.default.removeItem(at: folder) }
        let noise = Tools.randomBytes(122 * 96 * 3, seed: 15)
        var image = RGBAImage(width: 122, height: 96)
        for y in 0..<96 { for x in 0..<122 {
            let i = 3 * (y * 122 + x)
            image[x, y] = x < 61 ? RGBA8(noise[i], noise[i + 1], noise[i + 2], 255)
                                 : RGBA8((x + y) % 2 == 0 ? 255 : 0, y % 3 == 0 ? 200 : 20, UInt8((x * 37) % 256), 255)
        } }
        let pillow = try Self.pillowResize(image, pillowFilter, width, height, in: folder)
        let ours = image.resized(width: width, height: height, filter: filter)
        var worst = 0
        for i in pillow.indices { worst = max(worst, abs(Int(pillow[i]) - Int(ours.pixels[i]))) }
        #expect(worst <= 1, "\(pillowFilter) \(width)x\(height): max difference \(worst)")
    }
}
