import CDeflate

/// Decodes the PNGs that Open Images masks are — gray, 1/2/4/8-bit, not interlaced, no tRNS —
/// with libdeflate's whole-buffer inflate, which is 2-3x faster than zlib's. Anything else, and
/// any file that is not perfectly well formed (bad CRC, odd chunk order, short or long data),
/// returns nil so that libpng decodes it and reports the error in its words.
enum DeflatePNGReader {
    /// The image, or nil when libpng should handle the file.
    static func decode(_ raw: UnsafeRawBufferPointer, limits: ImageLimits, source: String) throws -> PNGImage? {
        let bytes = raw.bindMemory(to: UInt8.self)
        guard bytes.count >= 33, PNG.isPNG(raw) else { return nil }
        var offset = 8
        var header: (width: Int, height: Int, depth: Int)?
        var compressed: [UInt8] = []
        var ended = false
        while offset + 12 <= bytes.count {
            let length = Int(readBigEndian(bytes, offset))
            guard length <= bytes.count - offset - 12 else { return nil }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let crc = libdeflate_crc32(0, bytes.baseAddress! + offset + 4, length + 4)
            guard crc == readBigEndian(bytes, offset + 8 + length) else { return nil }
            let data = offset + 8
            switch type {
            case "IHDR":
                guard header == nil, offset == 8, length == 13 else { return nil }
                let width = Int(readBigEndian(bytes, data)), height = Int(readBigEndian(bytes, data + 4))
                let depth = Int(bytes[data + 8])
                guard bytes[data + 9] == 0, [1, 2, 4, 8].contains(depth), bytes[data + 10] == 0, bytes[data + 11] == 0,
                      bytes[data + 12] == 0, width > 0, height > 0 else { return nil }
                header = (width, height, depth)
            case "IDAT":
                guard header != nil else { return nil }
                compressed.append(contentsOf: bytes[data..<(data + length)])
            case "IEND":
                ended = true
            case "PLTE", "tRNS":
                return nil
            default:
                guard type.first?.isLowercase == true else { return nil }
            }
            offset += 12 + length
            if ended { break }
        }
        guard ended, let header, !compressed.isEmpty else { return nil }
        try limits.check(width: header.width, height: header.height, source: source)
        let rowBytes = (header.width * header.depth + 7) / 8
        let expected = (rowBytes + 1) * header.height
        var filtered = [UInt8](repeating: 0, count: expected)
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var produced = 0
        let result = compressed.withUnsafeBytes { input in
            filtered.withUnsafeMutableBytes { output in
                libdeflate_zlib_decompress(decompressor, input.baseAddress, input.count, output.baseAddress, output.count, &produced)
            }
        }
        guard result == LIBDEFLATE_SUCCESS, produced == expected else { return nil }
        guard let rows = unfilter(filtered, rowBytes: rowBytes, height: header.height) else { return nil }
        return try PNGImage(width: header.width, height: header.height, colorType: .gray, bitDepth: header.depth, rows: rows)
    }

    /// Reverses the per-row filters (bytes per pixel 1, as for every gray depth up to 8).
    private static func unfilter(_ filtered: [UInt8], rowBytes: Int, height: Int) -> [UInt8]? {
        var rows = [UInt8](repeating: 0, count: rowBytes * height)
        let ok = filtered.withUnsafeBufferPointer { input -> Bool in
            rows.withUnsafeMutableBufferPointer { out -> Bool in
                for y in 0..<height {
                    let filter = input[y * (rowBytes + 1)]
                    let source = input.baseAddress! + y * (rowBytes + 1) + 1
                    let row = out.baseAddress! + y * rowBytes
                    let above: UnsafeMutablePointer<UInt8>? = y > 0 ? row - rowBytes : nil
                    for x in 0..<rowBytes {
                        let left = x > 0 ? row[x - 1] : 0
                        let up = above?[x] ?? 0
                        let corner = x > 0 ? (above?[x - 1] ?? 0) : 0
                        let predictor: UInt8
                        switch filter {
                        case 0: predictor = 0
                        case 1: predictor = left
                        case 2: predictor = up
                        case 3: predictor = UInt8((UInt16(left) + UInt16(up)) >> 1)
                        case 4:
                            let p = Int(left) + Int(up) - Int(corner)
                            let pa = abs(p - Int(left)), pb = abs(p - Int(up)), pc = abs(p - Int(corner))
                            predictor = pa <= pb && pa <= pc ? left : (pb <= pc ? up : corner)
                        default: return false
                        }
                        row[x] = source[x] &+ predictor
                    }
                }
                return true
            }
        }
        return ok ? rows : nil
    }

    private static func readBigEndian(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
