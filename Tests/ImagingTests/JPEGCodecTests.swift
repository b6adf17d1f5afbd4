import Foundation
import Testing
import TestSupport
@testable import Imaging

/// JPEG decoding must equal libjpeg-turbo's own `djpeg` output pixel for pixel with the same
/// settings: default = `djpeg -dct int` with fancy upsampling (our `.standard`), plus
/// `-nosmooth` (fancyUpsampling off) and `-dct fast` (IFAST).
@Suite struct JPEGCodecTests {
    static let settings: [(flags: [String], options: JPEGDecodeOptions)] = [
        ([], JPEGDecodeOptions()),
        (["-nosmooth"], JPEGDecodeOptions(fancyUpsampling: false)),
        (["-dct", "fast"], JPEGDecodeOptions(dctMethod: .fastInteger)),
    ]

    /// Compares our decode of `bytes` with djpeg's PNM output for every setting.
    static func expectEqualToDjpeg(_ bytes: [UInt8], label: String) throws {
        let folder = TestPaths.scratchFolder("djpeg")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("input.jpg").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        for (flags, options) in settings {
            let result = try Tools.run("/usr/bin/djpeg", flags + ["-pnm", path])
            #expect(result.status == 0, "djpeg failed on \(label): \(result.stderr)")
            let (w, h, channels, expected) = try Tools.parsePNM(result.stdout)
            if channels == 3 {
                let ours = try JPEG.decodeRGB(bytes, options: options)
                #expect(ours.width == w && ours.height == h)
                #expect(ours.pixels == expected, "\(label) \(flags): RGB differs from djpeg")
                let rgba = try JPEG.decodeRGBA(bytes, options: options)
                var stripped = [UInt8](repeating: 0, count: w * h * 3)
                var opaque = true
                for i in 0..<(w * h) {
                    stripped[3 * i] = rgba.pixels[4 * i]; stripped[3 * i + 1] = rgba.pixels[4 * i + 1]
                    stripped[3 * i + 2] = rgba.pixels[4 * i + 2]; opaque = opaque && rgba.pixels[4 * i + 3] == 255
                }
                #expect(opaque)
                #expect(stripped == expected, "\(label) \(flags): RGBA differs from djpeg")
            } else {
                let gray = try JPEG.decodeGray(bytes, options: options)
                #expect(gray.width == w && gray.height == h)
                #expect(gray.pixels == expected, "\(label) \(flags): gray differs from djpeg")
            }
        }
    }

    @Test func assimpTexturesMatchDjpeg() throws {
        let files = Tools.assimpJPEGs()
        #expect(files.count >= 10, "expected the JPEG textures of Debian's assimp-testmodels under /usr/share/assimp/models")
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            guard JPEG.isJPEG(bytes.withUnsafeBytes { $0 }) else { continue } // a few .jpg there are not JPEGs
            try Self.expectEqualToDjpeg(bytes, label: file)
        }
    }

    @Test(arguments: [
        ["-baseline"], ["-progressive"], ["-grayscale"], ["-sample", "1x1"], ["-sample", "2x1"],
        ["-quality", "100", "-sample", "1x1"], ["-optimize", "-quality", "50"], ["-restart", "2"],
    ])
    func cjpegFilesMatchDjpeg(flags: [String]) throws {
        let bytes = try Tools.cjpeg(flags)
        try Self.expectEqualToDjpeg(bytes, label: "cjpeg \(flags)")
        let header = try JPEG.readHeader(bytes)
        #expect(header.width == 173 && header.height == 97)
        #expect(header.progressive == flags.contains("-progressive"))
        #expect(header.components == (flags.contains("-grayscale") ? 1 : 3))
    }

    @Test func ourEncoderIsReadByDjpegAndRoundTrips() throws {
        let ppm = Tools.syntheticPPM(width: 64, height: 48, seed: 11)
        let (w, h, _, rgb) = try Tools.parsePNM(ppm)
        var rgba = RGBAImage(width: w, height: h)
        for i in 0..<(w * h) { rgba.pixels[4 * i] = rgb[3 * i]; rgba.pixels[4 * i + 1] = rgb[3 * i + 1]; rgba.pixels[4 * i + 2] = rgb[3 * i + 2]; rgba.pixels[4 * i + 3] = 255 }
        for options in [JPEGEncodeOptions(), JPEGEncodeOptions(quality: 95, subsampling: .s444),
                        JPEGEncodeOptions(quality: 75, progressive: true, optimizeCoding: true)] {
            let bytes = try JPEG.encode(rgba, options: options)
            try Self.expectEqualToDjpeg(bytes, label: "our encoder \(options)")
            let back = try JPEG.decodeRGBA(bytes)
            var total = 0
            for i in 0..<back.pixels.count { total += abs(Int(back.pixels[i]) - Int(rgba.pixels[i])) }
            let meanError = Double(total) / Double(back.pixels.count)
            #expect(meanError < 8, "encode/decode mean error too large: \(meanError)")
            #expect(try JPEG.readHeader(bytes).progressive == options.progressive)
        }
        let gray = try JPEG.encode(rgba.luminance())
        #expect(try JPEG.readHeader(gray).components == 1)
        try Self.expectEqualToDjpeg(gray, label: "our gray encoder")
        // 4:4:4 at quality 100 is close to lossless
        let fine = try JPEG.decodeRGBA(JPEG.encode(rgba, options: JPEGEncodeOptions(quality: 100, subsampling: .s444)))
        var worst = 0
        for i in 0..<fine.pixels.count { worst = max(worst, abs(Int(fine.pixels[i]) - Int(rgba.pixels[i]))) }
        #expect(worst <= 6, "quality 100 4:4:4 error \(worst)")
    }

    @Test func cmykJPEGsConvertLikePillow() throws {
        let python = try Tools.pillowPython()
        let folder = TestPaths.scratchFolder("cmyk")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = """
        import sys, numpy as np
        from PIL import Image
        out = sys.argv[1]
        rng = np.random.default_rng(3)
        y, x = np.mgrid[0:40, 0:56]
        cmyk = np.stack([x * 4, y * 6, (x + y) * 2, rng.integers(0, 120, x.shape)], -1).astype(np.uint8)
        Image.fromarray(cmyk, "CMYK").save(f"{out}/cmyk.jpg", quality=92)
        im = Image.open(f"{out}/cmyk.jpg")
        assert im.mode == "CMYK"
        np.asarray(im.convert("RGB")).tofile(f"{out}/cmyk.rgb")
        """
        let result = try Tools.run(python, ["-c", script, folder.path])
        #expect(result.status == 0, "Pillow script failed: \(result.stderr)")
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("cmyk.jpg")))
        #expect(try JPEG.readHeader(bytes).components == 4)
        let ours = try JPEG.decodeRGB(bytes)
        let pillow = [UInt8](try Data(contentsOf: folder.appendingPathComponent("cmyk.rgb")))
        #expect(ours.width == 56 && ours.height == 40)
        #expect(ours.pixels == pillow, "CMYK -> RGB differs from Pillow")
        let rgba = try JPEG.decodeRGBA(bytes)
        #expect(rgba.pixels.enumerated().allSatisfy { $0.offset % 4 != 3 || $0.element == 255 })
    }

    @Test func filesDecodeLikeMemoryAndWritesAreReadable() throws {
        let file = try #require(Tools.assimpJPEGs().first { path in
            (try? Data(contentsOf: URL(fileURLWithPath: path)))?.prefix(3).elementsEqual([0xFF, 0xD8, 0xFF]) == true
        })
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let fromMemory = try JPEG.decodeRGBA(bytes)
        #expect(try JPEG.decodeRGBA(contentsOf: file) == fromMemory)
        #expect(try ImageFile.loadRGBA(file) == fromMemory)
        #expect(try JPEG.decodeGray(contentsOf: file) == JPEG.decodeGray(bytes))
        #expect(ImageFile.sniff(bytes) == .jpeg)
        let folder = TestPaths.scratchFolder("write")
        defer { try? FileManager.default.removeItem(at: folder) }
        let small = fromMemory.resized(width: 64, height: 48)
        try ImageFile.write(small, to: folder.appendingPathComponent("a/b.png").path)
        #expect(try ImageFile.loadRGBA(folder.appendingPathComponent("a/b.png").path) == small)
        try ImageFile.write(small, to: folder.appendingPathComponent("c.jpg").path, jpeg: JPEGEncodeOptions(quality: 95))
        let back = try ImageFile.loadRGBA(folder.appendingPathComponent("c.jpg").path)
        #expect(back.width == 64 && back.height == 48)
        try ImageFile.write(small.alphaChannel(), to: folder.appendingPathComponent("m.png").path)
        #expect(try ImageFile.loadGray(folder.appendingPathComponent("m.png").path) == small.alphaChannel())
        #expect(throws: ImageError.self) { try ImageFile.write(small, to: folder.appendingPathComponent("x.gif").path) }
    }

    @Test func decodeIntoReusesTheImage() throws {
        let first = try Tools.cjpeg([], seed: 1), second = try Tools.cjpeg([], seed: 2)
        var image = RGBAImage(width: 1, height: 1)
        try JPEG.decodeRGBA(first, into: &image)
        #expect(image == (try JPEG.decodeRGBA(first)))
        try JPEG.decodeRGBA(second, into: &image)
        #expect(image == (try JPEG.decodeRGBA(second)))
        #expect(throws: ImageError.self) { try JPEG.decodeRGBA(Array(second.prefix(100)), into: &image) }
    }

    @Test func refusesLargeImagesBeforeDecoding() throws {
        let bytes = try Tools.cjpeg([])
        let error = #expect(throws: ImageError.self) {
            try JPEG.decodeRGBA(bytes, options: JPEGDecodeOptions(limits: ImageLimits(maxPixels: 1000)))
        }
        #expect(error?.kind == "image-too-large")
    }
}
