import Foundation
import Testing
import Support
import TestSupport
@testable import Imaging

/// PNGs written through libdeflate (8-bit gray, gray+alpha, RGB, RGBA) are read back pixel-exact
/// by an independent decoder (Pillow) and by libpng, at every filter choice and level.
@Suite struct DeflateWriterInteropTests {
    @Test func pillowReadsWhatWeWrite() throws {
        let python = try Tools.pillowPython()
        let folder = TestPaths.scratchFolder("deflate-png")
        var random = SeededRandom(seed: 11)
        var expected: [String: [UInt8]] = [:]
        for (index, colorType) in [PNGImage.ColorType.gray, .grayAlpha, .rgb, .rgba].enumerated() {
            let channels = [1, 2, 3, 4][index]
            let width = 37 + index, height = 23
            // Smooth gradients plus noise, so every filter type wins on some rows.
            var rows = [UInt8](repeating: 0, count: width * height * channels)
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<channels {
                        let smooth = (x * 5 + y * 3 + c * 40) & 0xff
                        rows[(y * width + x) * channels + c] = y % 3 == 0 ? UInt8(truncatingIfNeeded: random.next()) : UInt8(smooth)
                    }
                }
            }
            let image = try PNGImage(width: width, height: height, colorType: colorType, bitDepth: 8, rows: rows)
            for (level, noFilter) in [(6, false), (1, false), (9, true)] {
                let name = "\(colorType)-\(level)-\(noFilter).png"
                let bytes = try PNG.encode(image, options: PNG.EncodeOptions(compressionLevel: level, noFilter: noFilter))
                #expect(try PNG.decode(bytes).rows == rows, "libpng reads back \(name)")
                try Data(bytes).write(to: folder.appendingPathComponent(name))
                expected[name] = rows
            }
        }
        let script = """
            import sys, os
            from PIL import Image
            folder = sys.argv[1]
            for name in sorted(os.listdir(folder)):
                im = Image.open(os.path.join(folder, name)); im.load()
                sys.stdout.write(name + " " + im.tobytes().hex() + "\\n")
            """
        let result = try Tools.run(python, ["-c", script, folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == expected.count)
        for line in lines {
            let parts = line.split(separator: " ")
            #expect(Hex.encode(expected[String(parts[0])] ?? []) == String(parts[1]), "Pillow decodes \(parts[0]) differently")
        }
    }
}
