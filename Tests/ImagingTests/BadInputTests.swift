import Foundation
import Testing
import TestSupport
@testable import Imaging

/// Damaged inputs must throw an `ImageError` with a stable kind and a readable message, and the
/// process must live on (libjpeg's exit() and libpng's abort paths are never reached).
@Suite struct BadInputTests {
    enum Codec: String, CaseIterable { case jpeg, png }

    static func valid(_ codec: Codec) throws -> [UInt8] {
        switch codec {
        case .jpeg: return try Tools.cjpeg(["-quality", "90"], width: 120, height: 80)
        case .png:
            let image = RGBAImage(width: 120, height: 80, pixels: Tools.randomBytes(120 * 80 * 4, seed: 21))
            return try PNG.encode(image)
        }
    }

    /// The damaged variants of a valid file, with the kinds each may raise.
    static func damaged(_ codec: Codec) throws -> [(String, [UInt8], Set<String>)] {
        let good = try valid(codec)
        let corruptKind = codec == .jpeg ? "corrupt-jpeg" : "corrupt-png"
        var header = good
        var body = good
        if codec == .jpeg {
            // SOF0 claims 7-bit samples (libjpeg: "Unsupported JPEG data precision 7")
            let sof = (0..<(good.count - 1)).first { good[$0] == 0xFF && good[$0 + 1] == 0xC0 }!
            header[sof + 4] = 7
            // an EOI marker in the middle of the entropy-coded data
            let mid = good.count / 2
            body[mid] = 0xFF; body[mid + 1] = 0xD9
            for i in (mid + 2)..<(mid + 200) { body[i] = 0xFF }
        } else {
            // a damaged IHDR (CRC mismatch) and a damaged IDAT
            header[20] ^= 0xFF
            body[good.count / 2] ^= 0x55
        }
        return [
            ("corrupt header", header, [corruptKind]),
            ("corrupt data", body, [corruptKind, "truncated-image"]),
            ("truncated to half", Array(good.prefix(good.count / 2)), ["truncated-image"]),
            ("truncated to signature", Array(good.prefix(codec == .jpeg ? 3 : 8)), ["truncated-image", corruptKind]),
            ("zero bytes", [], ["empty-file"]),
            ("text", Array("hello, this is not an image\n".utf8), ["not-an-image"]),
            ("other format", codec == .jpeg ? Array(good.prefix(0)) + PNG.signature + [0, 0, 0, 0] : [0xFF, 0xD8, 0xFF, 0xE0, 0, 16], ["not-an-image"]),
        ]
    }

    static func decoders(_ codec: Codec) -> [(String, ([UInt8]) throws -> Void)] {
        switch codec {
        case .jpeg:
            return [("JPEG.decodeRGBA", { _ = try JPEG.decodeRGBA($0) }), ("JPEG.decodeGray", { _ = try JPEG.decodeGray($0) }),
                    ("JPEG.readHeader", { _ = try JPEG.readHeader($0) })]
        case .png:
            return [("PNG.decode", { _ = try PNG.decode($0) }), ("PNG.decodeRGBA", { _ = try PNG.decodeRGBA($0) }),
                    ("PNG.decodeGray", { _ = try PNG.decodeGray($0) })]
        }
    }

    @Test(arguments: Codec.allCases)
    func damagedDataInMemoryThrows(codec: Codec) throws {
        for (name, bytes, kinds) in try Self.damaged(codec) {
            for (decoderName, decode) in Self.decoders(codec) {
                if decoderName.hasSuffix("readHeader") && (name == "corrupt data" || name == "truncated to half") { continue }
                if name == "other format" && !kinds.contains("not-an-image") { continue }
                let error = #expect(throws: ImageError.self, "\(codec) \(name) via \(decoderName)") { try decode(bytes) }
                if let error {
                    #expect(kinds.contains(error.kind), "\(codec) \(name) via \(decoderName): kind \(error.kind), \(error.message)")
                    #expect(error.message.hasPrefix("in-memory data (\(bytes.count) bytes): "))
                    #expect(!error.message.contains("\n"))
                }
            }
            // the sniffing entry point agrees
            let error = #expect(throws: ImageError.self) { try ImageFile.decodeRGBA(bytes) }
            if let error, name != "other format" { #expect(kinds.contains(error.kind), "ImageFile \(codec) \(name): \(error.kind)") }
        }
        // and a valid file still decodes afterwards: the process and the library state are fine
        _ = try ImageFile.decodeRGBA(Self.valid(codec))
    }

    @Test(arguments: Codec.allCases)
    func damagedFilesThrow(codec: Codec) throws {
        let folder = TestPaths.scratchFolder("bad-\(codec)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, (name, bytes, kinds)) in try Self.damaged(codec).enumerated() {
            let path = folder.appendingPathComponent("case\(index).\(codec == .jpeg ? "jpg" : "png")").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let attempts: [() throws -> Void] = codec == .jpeg
                ? [{ _ = try JPEG.decodeRGBA(contentsOf: path) }, { _ = try ImageFile.loadRGBA(path) }]
                : [{ _ = try PNG.decodeRGBA(contentsOf: path) }, { _ = try PNG.decode(contentsOf: path) }, { _ = try ImageFile.loadGray(path) }]
            for attempt in attempts {
                let error = #expect(throws: ImageError.self, "\(codec) file \(name)") { try attempt() }
                if let error {
                    if name != "other format" { #expect(kinds.contains(error.kind), "\(codec) file \(name): \(error.kind)") }
                    #expect(error.message.hasPrefix("file \(path): "), "\(error.message)")
                }
            }
        }
        let missing = #expect(throws: ImageError.self) { try ImageFile.loadRGBA(folder.appendingPathComponent("absent.png").path) }
        #expect(missing?.kind == "unreadable-file")
        let big = #expect(throws: ImageError.self) {
            let path = folder.appendingPathComponent("ok.bin").path
            try Data(Self.valid(codec)).write(to: URL(fileURLWithPath: path))
            _ = try ImageFile.loadRGBA(path, limits: ImageLimits(maxFileBytes: 100))
        }
        #expect(big?.kind == "file-too-large")
    }

    @Test func lenientJPEGModeReturnsPixelsForTruncatedData() throws {
        let good = try Self.valid(.jpeg)
        let half = Array(good.prefix(good.count / 2))
        let image = try JPEG.decodeRGBA(half, options: JPEGDecodeOptions(strict: false))
        #expect(image.width == 120 && image.height == 80)
    }
}
