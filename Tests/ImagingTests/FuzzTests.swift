import Testing
@testable import Imaging

/// Seeded mutations of valid files: every outcome must be an image or an `ImageError`; a crash,
/// exit() or abort would end the test process.
@Suite struct FuzzTests {
    static func mutations(of good: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        var state = seed | 1
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        return (0..<count).map { i in
            var bytes = good
            switch i % 4 {
            case 0: // flip a few bytes anywhere
                for _ in 0..<(1 + next() % 8) { bytes[next() % bytes.count] ^= UInt8(truncatingIfNeeded: 1 + next() % 255) }
            case 1: // truncate
                bytes = Array(bytes.prefix(next() % bytes.count))
            case 2: // overwrite a run with random bytes
                let start = next() % bytes.count, length = min(bytes.count - start, 1 + next() % 64)
                for k in start..<(start + length) { bytes[k] = UInt8(truncatingIfNeeded: next()) }
            default: // insert bytes
                let at = next() % bytes.count
                bytes.insert(contentsOf: (0..<(1 + next() % 16)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: at)
            }
            return bytes
        }
    }

    @Test func mutatedJPEGs() throws {
        let good = try Tools.cjpeg(["-quality", "80"], width: 64, height: 48)
        let progressive = try Tools.cjpeg(["-progressive"], width: 64, height: 48)
        var decoded = 0, refused = 0
        for (index, bytes) in (Self.mutations(of: good, count: 300, seed: 1) + Self.mutations(of: progressive, count: 300, seed: 2)).enumerated() {
            for strict in [true, false] {
                do {
                    let image = try JPEG.decodeRGBA(bytes, options: JPEGDecodeOptions(strict: strict, limits: ImageLimits(maxPixels: 1 << 22)))
                    #expect(image.pixels.count == image.width * image.height * 4)
                    decoded += 1
                } catch let error as ImageError {
                    #expect(["corrupt-jpeg", "truncated-image", "not-an-image", "empty-file", "image-too-large", "unsupported-jpeg"].contains(error.kind),
                            "mutation \(index): \(error.kind)")
                    refused += 1
                }
            }
        }
        #expect(decoded > 0 && refused > 0)
    }

    @Test func mutatedPNGs() throws {
        let image = RGBAImage(width: 40, height: 30, pixels: Tools.randomBytes(40 * 30 * 4, seed: 5))
        let plain = try PNG.encode(image)
        let palette = try PNG.encode(PNGImage(width: 40, height: 30, colorType: .palette, bitDepth: 4,
                                              rows: Tools.randomBytes(20 * 30, seed: 6), palette: Tools.randomBytes(48, seed: 7),
                                              paletteAlpha: [0, 128]),
                                     options: PNG.EncodeOptions(interlaced: true))
        var decoded = 0, refused = 0
        let inputs = Self.mutations(of: plain, count: 300, seed: 3) + Self.mutations(of: palette, count: 300, seed: 4)
            + Self.chunkMutations(of: plain, count: 300, seed: 8) + Self.chunkMutations(of: palette, count: 300, seed: 9)
        for (index, bytes) in inputs.enumerated() {
            for decode in [{ (b: [UInt8]) in _ = try PNG.decode(b, limits: ImageLimits(maxPixels: 1 << 22)) },
                           { (b: [UInt8]) in _ = try PNG.decodeRGBA(b, limits: ImageLimits(maxPixels: 1 << 22)) }] {
                do {
                    try decode(bytes)
                    decoded += 1
                } catch let error as ImageError {
                    #expect(["corrupt-png", "truncated-image", "not-an-image", "empty-file", "image-too-large", "unsupported-png"].contains(error.kind),
                            "mutation \(index): \(error.kind)")
                    refused += 1
                }
            }
        }
        #expect(refused > 0)
        #expect(decoded + refused == inputs.count * 2)
    }

    /// Mutations inside one chunk's data with the CRC fixed up, so libpng parses the damage
    /// (bad IHDR fields, broken zlib streams, odd palettes) instead of stopping at the CRC.
    static func chunkMutations(of good: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        var chunks: [(start: Int, length: Int)] = []
        var offset = 8
        while offset + 12 <= good.count {
            let length = Int(good[offset]) << 24 | Int(good[offset + 1]) << 16 | Int(good[offset + 2]) << 8 | Int(good[offset + 3])
            chunks.append((offset, length))
            offset += 12 + length
        }
        var state = seed | 1
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        return (0..<count).compactMap { _ in
            let chunk = chunks[next() % chunks.count]
            guard chunk.length > 0 else { return nil }
            var bytes = good
            for _ in 0..<(1 + next() % 4) {
                bytes[chunk.start + 8 + next() % chunk.length] ^= UInt8(truncatingIfNeeded: 1 + next() % 255)
            }
            let crc = Tools.crc32(Array(bytes[(chunk.start + 4)..<(chunk.start + 8 + chunk.length)]))
            bytes.replaceSubrange((chunk.start + 8 + chunk.length)..<(chunk.start + 12 + chunk.length), with: Tools.be32(crc))
            return bytes
        }
    }
}
