import Foundation
import Testing
import TestSupport
@testable import Imaging

/// Helpers shared by the Imaging tests: external tools, PNM parsing, synthetic pictures.
enum Tools {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs `executable` with `arguments` (TestSupport's `ProcessRunner`).
    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, stdout: Data, stderr: String) {
        try ProcessRunner.run(executable, arguments, stdin: stdin)
    }

    /// A Python interpreter with Pillow and numpy (TestSupport's `Python`); throws a clear failure
    /// when none is usable (never skips silently).
    static func pillowPython() throws -> String {
        do {
            return try Python.interpreter(importing: ["PIL", "numpy"])
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    /// Parses a binary PPM (P6) or PGM (P5) with maxval 255: (width, height, channels, bytes).
    static func parsePNM(_ data: Data) throws -> (Int, Int, Int, [UInt8]) {
        let bytes = [UInt8](data)
        var index = 0
        func token() -> String {
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "#") { while index < bytes.count && bytes[index] != 10 { index += 1 } }
                else if [9, 10, 13, 32].contains(bytes[index]) { index += 1 } else { break }
            }
            var s = ""
            while index < bytes.count, ![9, 10, 13, 32].contains(bytes[index]) { s.append(Character(UnicodeScalar(bytes[index]))); index += 1 }
            return s
        }
        let magic = token()
        guard magic == "P6" || magic == "P5" else { throw Failure(description: "not a binary PNM: \(magic)") }
        guard let w = Int(token()), let h = Int(token()), let maxval = Int(token()), maxval == 255 else {
            throw Failure(description: "bad PNM header")
        }
        index += 1
        let channels = magic == "P6" ? 3 : 1
        guard bytes.count - index >= w * h * channels else { throw Failure(description: "short PNM data") }
        return (w, h, channels, Array(bytes[index..<(index + w * h * channels)]))
    }

    /// A photo-like RGB test picture: smooth gradients, a few discs and seeded noise (PPM bytes).
    static func syntheticPPM(width: Int, height: Int, seed: UInt64) -> Data {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let noise = Int((state >> 59) & 15) - 8
                let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
                var r = 255 * fx, g = 255 * fy, b = 128 + 100 * sin(fx * 12 + fy * 7)
                let dx = fx - 0.5, dy = fy - 0.5
                if dx * dx + dy * dy < 0.04 { r = 240; g = 40; b = 60 }
                let i = (y * width + x) * 3
                pixels[i] = UInt8(max(0, min(255, Int(r) + noise)))
                pixels[i + 1] = UInt8(max(0, min(255, Int(g) + noise)))
                pixels[i + 2] = UInt8(max(0, min(255, Int(b) + noise)))
            }
        }
        var data = Data("P6\n\(width) \(height)\n255\n".utf8)
        data.append(contentsOf: pixels)
        return data
    }

    /// Seeded pseudo-random bytes.
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    /// The JPEG textures shipped in Debian's assimp-testmodels.
    static func assimpJPEGs() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: TestPaths.assimpModels.path) else { return [] }
        var found: [String] = []
        while let item = walker.nextObject() as? String {
            let lower = item.lowercased()
            if lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") { found.append(TestPaths.assimpModels.appendingPathComponent(item).path) }
        }
        return found.sorted()
    }

    /// A JPEG made by cjpeg from a synthetic PPM with the given extra flags.
    static func cjpeg(_ flags: [String], width: Int = 173, height: Int = 97, seed: UInt64 = 7) throws -> [UInt8] {
        let result = try run("/usr/bin/cjpeg", flags, stdin: syntheticPPM(width: width, height: height, seed: seed))
        guard result.status == 0 else { throw Failure(description: "cjpeg \(flags) failed: \(result.stderr)") }
        return [UInt8](result.stdout)
    }

    /// CRC-32 (PNG chunk CRC, ISO 3309).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// A PNG chunk: length, type, data, CRC.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }
}
