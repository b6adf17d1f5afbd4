/// The index of a zip archive held in memory, for archives whose entries are stored uncompressed
/// (PyTorch's `caffe2/serialize/inline_container.cc` writer, which `torch.save` uses since 1.6).
/// Follows PKWARE APPNOTE 6.3.x: the end-of-central-directory record, the ZIP64 locator and end
/// record, central directory headers with their ZIP64 extra field, and each entry's local header.
///
/// Every size and offset is overflow-checked and bounded by the buffer, so a truncated or hostile
/// file is a thrown `bad-archive` error, never a trap. (Datasets' `ZipIndex` reads through `pread`
/// with its own error type and unchecked conversions; this reader works on a memory map instead.)
struct StoredZip {
    /// One entry: its compression method and where its bytes lie in the buffer.
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var data: Range<Int>
    }

    /// The entries in central-directory order.
    let entries: [Entry]
    private let byName: [String: Int]

    /// Indexes the archive in `bytes`; `path` names it in errors.
    init(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        func fail(_ why: String) -> Error { CheckpointError.badArchive(path, why) }
        let size = bytes.count
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
        func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }

        guard size >= 22 else { throw fail("file of \(size) bytes is too short for a zip archive") }
        var eocd = -1
        var k = size - 22
        let lowest = max(0, size - 22 - 65_535)
        while k >= lowest {
            if u32(k) == 0x0605_4B50 { eocd = k; break }
            k -= 1
        }
        guard eocd >= 0 else { throw fail("no end-of-central-directory record (truncated?)") }
        var total = UInt64(u16(eocd + 10))
        var directorySize = UInt64(u32(eocd + 12))
        var directoryOffset = UInt64(u32(eocd + 16))
        if eocd >= 20, u32(eocd - 20) == 0x0706_4B50 {
            guard let record = Checked.int(u64(eocd - 20 + 8)), record <= size - 56 else {
                throw fail("ZIP64 end record offset lies outside the file")
            }
            guard u32(record) == 0x0606_4B50 else { throw fail("bad ZIP64 end-of-central-directory signature") }
            total = u64(record + 32)
            directorySize = u64(record + 40)
            directoryOffset = u64(record + 48)
        }
        guard let start = Checked.int(directoryOffset), let length = Checked.int(directorySize),
              let end = Checked.add(start, length), end <= size else {
            throw fail("central directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the \(size)-byte file")
        }
        guard total <= UInt64(length / 46) else { throw fail("central directory claims \(total) entries in \(length) bytes") }

        var entries: [Entry] = []
        entries.reserveCapacity(Int(total))
        var byName: [String: Int] = [:]
        var at = start
        for _ in 0..<Int(total) {
            guard at <= end - 46, u32(at) == 0x0201_4B50 else { throw fail("bad central directory header at byte \(at)") }
            let flags = u16(at + 8), method = u16(at + 10)
            var compressed = UInt64(u32(at + 20)), uncompressed = UInt64(u32(at + 24))
            let nameLength = Int(u16(at + 28)), extraLength = Int(u16(at + 30)), commentLength = Int(u16(at + 32))
            var localOffset = UInt64(u32(at + 42))
            let nameStart = at + 46
            guard nameStart + nameLength + extraLength + commentLength <= end else {
                throw fail("central directory header at byte \(at) runs past the directory")
            }
            var extra = nameStart + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = u16(extra), fieldLength = Int(u16(extra + 2))
                guard extra + 4 + fieldLength <= extraEnd else { throw fail("extra field overruns its header at byte \(extra)") }
                if id == 0x0001 {
                    var field = extra + 4
                    let fieldEnd = field + fieldLength
                    if uncompressed == 0xFFFF_FFFF, field + 8 <= fieldEnd { uncompressed = u64(field); field += 8 }
                    if compressed == 0xFFFF_FFFF, field + 8 <= fieldEnd { compressed = u64(field); field += 8 }
                    if localOffset == 0xFFFF_FFFF, field + 8 <= fieldEnd { localOffset = u64(field) }
                }
                extra += 4 + fieldLength
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<(nameStart + nameLength)]), as: UTF8.self)
            guard let local = Checked.int(localOffset), local <= size - 30, u32(local) == 0x0403_4B50 else {
                throw fail("entry \(name): local header at \(localOffset) is missing or outside the file")
            }
            guard let stored = Checked.int(compressed), let dataStart = Checked.add(local, 30 + Int(u16(local + 26)) + Int(u16(local + 28))),
                  let dataEnd = Checked.add(dataStart, stored), dataEnd <= size else {
                throw fail("entry \(name): \(compressed) bytes at local header \(localOffset) run past the end of the \(size)-byte file (truncated?)")
            }
            if method == 0, compressed != uncompressed {
                throw fail("stored entry \(name) has compressed size \(compressed) but uncompressed size \(uncompressed)")
            }
            byName[name] = entries.count
            entries.append(Entry(name: name, method: method, flags: flags, data: dataStart..<dataEnd))
            at = nameStart + nameLength + extraLength + commentLength
        }
        self.entries = entries
        self.byName = byName
    }

    /// The entry named `name`, if present.
    subscript(_ name: String) -> Entry? { byName[name].map { entries[$0] } }
}
