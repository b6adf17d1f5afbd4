import Foundation
import Testing
import TestSupport
@testable import Imaging

@Suite struct PNGCodecTests {
    /// Every PNG pixel format this module writes.
    static let formats: [(PNGImage.ColorType, Int, String)] = [
        (.gray, 1, "gray1"), (.gray, 2, "gray2"), (.gray, 4, "gray4"), (.gray, 8, "gray8"), (.gray, 16, "gray16"),
        (.grayAlpha, 8, "grayAlpha8"), (.grayAlpha, 16, "grayAlpha16"),
        (.palette, 1, "palette1"), (.palette, 2, "palette2"), (.palette, 4, "palette4"), (.palette, 8, "palette8"),
        (.rgb, 8, "rgb8"), (.rgb, 16, "rgb16"), (.rgba, 8, "rgba8"), (.rgba, 16, "rgba16"),
    ]

    static func sample(_ type: PNGImage.ColorType, _ depth: Int, trns: Bool, width: Int = 37, height: Int = 23) throws -> PNGImage {
        let rowBytes = (width * type.channels * depth + 7) / 8
        var rows = Tools.randomBytes(rowBytes * height, seed: UInt64(type.rawValue * 100 + depth))
        var palette: [UInt8] = [], alpha: [UInt8] = []
        var key: [UInt16]? = nil
        if type == .palette {
            let entries = 1 << depth
            palette = Tools.randomBytes(entries * 3, seed: 99)
            if trns { alpha = Array(Tools.randomBytes(entries, seed: 5).prefix(max(1, entries / 2))) }
        }
        if trns && type == .gray { key = [UInt16((1 << depth) - 1)] }
        if trns && type == .rgb { key = depth == 16 ? [1000, 2000, 3000] : [10, 20, 30] }
        // clear the padding bits of sub-byte rows so the round trip compares only real pixels
        let usedBits = width * type.channels * depth
        if usedBits % 8 != 0 {
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - usedBits % 8))
            for y in 0..<height { rows[y * rowBytes + rowBytes - 1] &= mask }
        }
        return try PNGImage(width: width, height: height, colorType: type, bitDepth: depth, rows: rows,
                            palette: palette, paletteAlpha: alpha, transparentColor: key)
    }

    @Test(arguments: [false, true])
    func roundTripIsBitExactInEveryFormat(withTransparency: Bool) throws {
        for (type, depth, name) in Self.formats {
            let image = try Self.sample(type, depth, trns: withTransparency && (type == .palette || type == .gray || type == .rgb))
            let bytes = try PNG.encode(image)
            let decoded = try PNG.decode(bytes)
            #expect(decoded == image, "round trip differs for \(name) (tRNS \(withTransparency))")
            let header = try PNG.readHeader(bytes)
            #expect(header.colorType == type && header.bitDepth == depth && header.width == 37 && header.height == 23)
            let interlaced = try PNG.encode(image, options: PNG.EncodeOptions(interlaced: true))
            #expect(try PNG.readHeader(interlaced).interlaced)
            #expect(try PNG.decode(interlaced) == image, "Adam7 round trip differs for \(name)")
            #expect(try PNG.decodeRGBA(interlaced) == PNG.decodeRGBA(bytes), "Adam7 RGBA differs for \(name)")
        }
    }

    @Test func rgbaAndGrayRoundTrip() throws {
        let rgba = RGBAImage(width: 31, height: 17, pixels: Tools.randomBytes(31 * 17 * 4, seed: 3))
        #expect(try PNG.decodeRGBA(PNG.encode(rgba)) == rgba)
        let gray = GrayImage(width: 31, height: 17, pixels: Tools.randomBytes(31 * 17, seed: 4))
        #expect(try PNG.decodeGray(PNG.encode(gray)) == gray)
        let fast = try PNG.encode(rgba, options: PNG.EncodeOptions(compressionLevel: 1, noFilter: true))
        #expect(try PNG.decodeRGBA(fast) == rgba)
        var opaque = rgba
        for i in stride(from: 3, to: opaque.pixels.count, by: 4) { opaque.pixels[i] = 255 }
        #expect(try PNG.decodeRGBA(PNG.encodeOpaque(opaque)) == opaque)
    }

    @Test func conversionsToRGBAFollowTheFormat() throws {
        // palette with tRNS -> colour from PLTE, alpha from tRNS (255 past its end)
        let pal = try PNGImage(width: 2, height: 1, colorType: .palette, bitDepth: 8, rows: [0, 1],
                               palette: [10, 20, 30, 40, 50, 60], paletteAlpha: [128])
        let rgba = try PNG.decodeRGBA(PNG.encode(pal))
        #expect(rgba[0, 0] == RGBA8(10, 20, 30, 128))
        #expect(rgba[1, 0] == RGBA8(40, 50, 60, 255))
        // 1-bit gray scales to 0/255; 16-bit keeps the high byte
        let bits = try PNGImage(width: 8, height: 1, colorType: .gray, bitDepth: 1, rows: [0b1010_0000])
        #expect(try PNG.decodeGray(PNG.encode(bits)).pixels == [255, 0, 255, 0, 0, 0, 0, 0])
        let deep = try PNGImage(width: 1, height: 1, colorType: .rgb, bitDepth: 16, rows: [0x12, 0x34, 0xAB, 0xCD, 0xFF, 0x00])
        #expect(try PNG.decodeRGBA(PNG.encode(deep))[0, 0] == RGBA8(0x12, 0xAB, 0xFF, 255))
        // gray key colour becomes transparent
        let keyed = try PNGImage(width: 2, height: 1, colorType: .gray, bitDepth: 8, rows: [7, 9], transparentColor: [7])
        let k = try PNG.decodeRGBA(PNG.encode(keyed))
        #expect(k[0, 0] == RGBA8(7, 7, 7, 0) && k[1, 0] == RGBA8(9, 9, 9, 255))
    }

    @Test func refusesAHugeHeaderBeforeAllocating() throws {
        var ihdr = Tools.be32(100_000) + Tools.be32(100_000)
        ihdr += [8, 6, 0, 0, 0] // 8-bit RGBA, deflate, adaptive filter, no interlace
        let bytes = PNG.signature + Tools.chunk("IHDR", ihdr) + Tools.chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + Tools.chunk("IEND", [])
        let header = try PNG.readHeader(bytes)
        #expect(header.width == 100_000 && header.height == 100_000)
        for attempt in [{ _ = try PNG.decodeRGBA(bytes) }, { _ = try PNG.decode(bytes) }, { _ = try PNG.decodeGray(bytes) },
                        { _ = try ImageFile.decodeRGBA(bytes) }] {
            let error = #expect(throws: ImageError.self) { try attempt() }
            #expect(error?.kind == "image-too-large")
            #expect(error?.message.contains("100000 x 100000") == true)
        }
        // a custom limit applies too
        let small = try PNG.encode(GrayImage(width: 20, height: 20))
        let error = #expect(throws: ImageError.self) { try PNG.decodeGray(small, limits: ImageLimits(maxPixels: 399)) }
        #expect(error?.kind == "image-too-large")
    }

    @Test func decodesPNGsWrittenByPillow() throws {
        let python = try Tools.pillowPython()
        let folder = TestPaths.scratchFolder("pillow-png")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Pillow writes each mode; numpy dumps the samples Pillow reads back (uint16 big-endian for I;16).
        let script = """
        import sys, numpy as np
        from PIL import Image
        out = sys.argv[1]
        rng = np.random.default_rng(1)
        h, w = 19, 29
        def save(name, im, arr, **kw):
            im.save(f"{out}/{name}.png", **kw)
            a = np.asarray(arr)
            a.astype('>u2' if a.dtype == np.uint16 else np.uint8).tofile(f"{out}/{name}.raw")
            if im.mode != "I;16":
                np.asarray(Image.open(f"{out}/{name}.png").convert("RGBA")).tofile(f"{out}/{name}.rgba")
        b = rng.integers(0, 2, (h, w)).astype(bool)
        save("mode1", Image.fromarray(b), b.astype(np.uint8))
        l = rng.integers(0, 256, (h, w), dtype=np.uint8)
        save("L", Image.fromarray(l), l)
        la = rng.integers(0, 256, (h, w, 2), dtype=np.uint8)
        save("LA", Image.fromarray(la, "LA"), la)
        rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        save("RGB", Image.fromarray(rgb), rgb)
        rgba = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
        save("RGBA", Image.fromarray(rgba), rgba)
        i16 = rng.integers(0, 65536, (h, w), dtype=np.uint16)
        save("I16", Image.fromarray(i16), i16)
        p = Image.fromarray(rgb).quantize(16)
        save("P", p, np.asarray(p))
        p.info["transparency"] = 3
        save("PT", p, np.asarray(p), transparency=3)
        save("P4", p, np.asarray(p), bits=4)
        """
        let result = try Tools.run(python, ["-c", script, folder.path])
        #expect(result.status == 0, "Pillow script failed: \(result.stderr)")
        let cases: [(String, PNGImage.ColorType, [Int])] = [
            ("mode1", .gray, [1]), ("L", .gray, [8]), ("LA", .grayAlpha, [8]), ("RGB", .rgb, [8]), ("RGBA", .rgba, [8]),
            ("I16", .gray, [16]), ("P", .palette, [4, 8]), ("PT", .palette, [4, 8]), ("P4", .palette, [4]),
        ]
        for (name, type, depths) in cases {
            let png = try PNG.decode(contentsOf: folder.appendingPathComponent("\(name).png").path)
            #expect(png.colorType == type && depths.contains(png.bitDepth), "\(name): \(png.colorType) \(png.bitDepth)")
            let raw = [UInt8](try Data(contentsOf: folder.appendingPathComponent("\(name).raw")))
            var samples: [Int] = []
            for y in 0..<png.height { for x in 0..<png.width { for c in 0..<type.channels { samples.append(png.sample(x: x, y: y, channel: c)) } } }
            let expected: [Int] = png.bitDepth == 16
                ? stride(from: 0, to: raw.count, by: 2).map { Int(raw[$0]) << 8 | Int(raw[$0 + 1]) }
                : raw.map(Int.init)
            #expect(samples == expected, "\(name): samples differ from Pillow's")
            // and the file survives our encoder bit-exactly
            #expect(try PNG.decode(PNG.encode(png)) == png, "\(name): re-encode differs")
            if name != "I16" {
                let rgba = try PNG.decodeRGBA(contentsOf: folder.appendingPathComponent("\(name).png").path)
                let pillow = [UInt8](try Data(contentsOf: folder.appendingPathComponent("\(name).rgba")))
                #expect(rgba.pixels == pillow, "\(name): RGBA conversion differs from Pillow's convert(\"RGBA\")")
            }
            if name == "PT" { #expect(png.paletteAlpha.count >= 4 && png.paletteAlpha[3] == 0) }
        }
        let mask = try PNG.decodeGray(contentsOf: folder.appendingPathComponent("mode1.png").path)
        #expect(Set(mask.pixels).isSubset(of: [0, 255]))
    }
}
