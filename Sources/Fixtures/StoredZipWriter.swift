import CGzip
import Support

/// Writes a zip archive of stored (uncompressed) entries, enough for fixtures in the layout of
/// the Open Images mask zips (PKWARE APPNOTE 6.3: local headers, central directory, end record;
/// CRC-32 from zlib). Not for large archives: under 65,535 entries and 4 GiB.
public struct StoredZipWriter {
    private var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    /// An empty archive.
    public init() {}

    /// Appends an entry.
    public mutating func add(name: String, data: [UInt8]) {
        precondition(count < 65_535 && bytes.count + data.count < Int(UInt32.max), "fixture zip too large")
        let nameBytes = Array(name.utf8)
        let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        let offset = UInt32(bytes.count)
        func u16(_ v: Int, into b: inout [UInt8]) { b.append(UInt8(v & 0xFF)); b.append(UInt8(v >> 8 & 0xFF)) }
        func u32(_ v: UInt32, into b: inout [UInt8]) { for k in 0..<4 { b.append(UInt8(v >> (8 * UInt32(k)) & 0xFF)) } }
        // Local file header.
        u32(0x0403_4B50, into: &bytes); u16(20, into: &bytes); u16(0, into: &bytes); u16(0, into: &bytes)
        u16(0, into: &bytes); u16(0x21, into: &bytes)  // 00:00, 1980-01-01: fixed for reproducible bytes
        u32(crc, into: &bytes); u32(UInt32(data.count), into: &bytes); u32(UInt32(data.count), into: &bytes)
        u16(nameBytes.count, into: &bytes); u16(0, into: &bytes)
        bytes += nameBytes
        bytes += data
        // Central directory entry.
        u32(0x0201_4B50, into: &directory); u16(20, into: &directory); u16(20, into: &directory); u16(0, into: &directory)
        u16(0, into: &directory); u16(0, into: &directory); u16(0x21, into: &directory)
        u32(crc, into: &directory); u32(UInt32(data.count), into: &directory); u32(UInt32(data.count), into: &directory)
        u16(nameBytes.count, into: &directory); u16(0, into: &directory); u16(0, into: &directory)
        u16(0, into: &directory); u16(0, into: &directory); u32(0, into: &directory); u32(offset, into: &directory)
        directory += nameBytes
        count += 1
    }

    /// The finished archive's bytes.
    public func finished() -> [UInt8] {
        var out = bytes + directory
        func u16(_ v: Int) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8 & 0xFF)) }
        func u32(_ v: Int) { for k in 0..<4 { out.append(UInt8(v >> (8 * k) & 0xFF)) } }
        u32(0x0605_4B50); u16(0); u16(0); u16(count); u16(count); u32(directory.count); u32(bytes.count); u16(0)
        return out
    }
}
