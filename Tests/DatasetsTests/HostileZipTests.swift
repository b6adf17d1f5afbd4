import Foundation
import Testing
import Support
import TestSupport
@testable import Datasets

/// A hand-built zip archive (PKWARE APPNOTE 6.3): local headers, central directory, optional
/// ZIP64 end records; every field settable so tests can lie in it.
struct CraftedZip {
    struct Member {
        var name: String
        var data: [UInt8]
        /// Central directory overrides (nil: the true value).
        var compressedSize: UInt32? = nil
        var uncompressedSize: UInt32? = nil
        var localOffset: UInt32? = nil
        /// ZIP64 extra field values, written in APPNOTE order for the saturated fields.
        var zip64Uncompressed: UInt64? = nil
        var zip64Compressed: UInt64? = nil
        var zip64Offset: UInt64? = nil
    }

    var members: [Member]
    /// ZIP64 end records: the locator's record offset (nil: the true one) and the directory offset override.
    var zip64 = false
    var zip64RecordOffset: UInt64? = nil
    var zip64DirectoryOffset: UInt64? = nil
    var zip64DirectorySize: UInt64? = nil

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        var offsets: [UInt32] = []
        for m in members {
            offsets.append(UInt32(out.count))
            u32(0x0403_4B50); u16(20); u16(0); u16(0); u16(0); u16(0); u32(0)
            u32(UInt32(m.data.count)); u32(UInt32(m.data.count))
            u16(UInt16(m.name.utf8.count)); u16(0)
            out += Array(m.name.utf8)
            out += m.data
        }
        let directoryStart = out.count
        for (k, m) in members.enumerated() {
            var extra: [UInt8] = []
            let values = [m.zip64Uncompressed, m.zip64Compressed, m.zip64Offset].compactMap { $0 }
            if !values.isEmpty {
                withUnsafeBytes(of: UInt16(1).littleEndian) { extra += $0 }
                withUnsafeBytes(of: UInt16(8 * values.count).littleEndian) { extra += $0 }
                for v in values { withUnsafeBytes(of: v.littleEndian) { extra += $0 } }
            }
            u32(0x0201_4B50); u16(45); u16(45); u16(0); u16(0); u16(0); u16(0); u32(0)
            u32(m.zip64Compressed != nil ? 0xFFFF_FFFF : (m.compressedSize ?? UInt32(m.data.count)))
            u32(m.zip64Uncompressed != nil ? 0xFFFF_FFFF : (m.uncompressedSize ?? UInt32(m.data.count)))
            u16(UInt16(m.name.utf8.count)); u16(UInt16(extra.count)); u16(0); u16(0); u16(0); u32(0)
            u32(m.zip64Offset != nil ? 0xFFFF_FFFF : (m.localOffset ?? offsets[k]))
            out += Array(m.name.utf8)
            out += extra
        }
        let directorySize = out.count - directoryStart
        if zip64 {
            let recordStart = out.count
            u32(0x0606_4B50); u64(44); u16(45); u16(45); u32(0); u32(0)
            u64(UInt64(members.count)); u64(UInt64(members.count))
            u64(zip64DirectorySize ?? UInt64(directorySize)); u64(zip64DirectoryOffset ?? UInt64(directoryStart))
            u32(0x0706_4B50); u32(0); u64(zip64RecordOffset ?? UInt64(recordStart)); u32(1)
        }
        u32(0x0605_4B50); u16(0); u16(0); u16(UInt16(members.count)); u16(UInt16(members.count))
        u32(UInt32(directorySize)); u32(UInt32(directoryStart)); u16(0)
        return out
    }

    func write(_ name: String = "train-masks-a.zip") -> String {
        let folder = TestPaths.scratchFolder("craftedzip")
        let path = folder.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes()))
        return path
    }
}

/// Hostile zip archives: refused with a one-line reason, never a trap, an escape or a huge allocation.
@Suite("Hostile zip archives")
struct HostileZipTests {
    let good = CraftedZip.Member(name: "a1b2c3d4e5f60718_m04yx4_9a041d52.png", data: Array("fake png".utf8))

    @Test("an entry named ../../../../tmp/x/evil.png is not indexed and cannot be read")
    func escapingEntryName() throws {
        let evil = CraftedZip.Member(name: "../../../../tmp/x/evil.png", data: Array("evil".utf8))
        let zip = try ZipIndex(path: CraftedZip(members: [good, evil]).write())
        #expect(zip.count == 1)
        #expect(zip.refusedNames == 1)
        #expect(try zip.read(good.name) == good.data)
        #expect(throws: PathEscape.self) { try zip.read(evil.name) }
    }

    @Test("a 300-byte zip whose compressed size says 4 GB fails before any large read")
    func claimedSizeAboveTheArchive() throws {
        var liar = good
        liar.compressedSize = 0xF000_0000
        let path = CraftedZip(members: [liar]).write()
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) < 300)
        let zip = try ZipIndex(path: path)
        let error = try #require(throws: DatasetFileError.self) { try zip.read(good.name) }
        #expect(error.message.contains("past the end of the"), "\(error.message)")
    }

    @Test("ZIP64 sizes and offsets near 2^63 are refused, not trapped on")
    func zip64Extremes() throws {
        let huge: UInt64 = 0x7FFF_FFFF_FFFF_FFF0
        for (compressed, offset) in [(huge, nil), (nil, huge), (UInt64.max - 4, nil), (nil, UInt64.max - 4)] as [(UInt64?, UInt64?)] {
            var liar = good
            liar.zip64Uncompressed = 8
            liar.zip64Compressed = compressed ?? 8
            liar.zip64Offset = offset ?? 0
            let zip = try ZipIndex(path: CraftedZip(members: [liar], zip64: true).write())
            #expect(throws: DatasetFileError.self) { try zip.read(good.name) }
        }
        // The end records themselves: a locator or directory near 2^63 or 2^64.
        for crafted in [CraftedZip(members: [good], zip64: true, zip64RecordOffset: huge),
                        CraftedZip(members: [good], zip64: true, zip64RecordOffset: .max),
                        CraftedZip(members: [good], zip64: true, zip64DirectoryOffset: .max - 2, zip64DirectorySize: 16),
                        CraftedZip(members: [good], zip64: true, zip64DirectoryOffset: 0, zip64DirectorySize: huge)] {
            #expect(throws: DatasetFileError.self) { try ZipIndex(path: crafted.write()) }
        }
    }
}
