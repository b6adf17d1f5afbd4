import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only zip archive with an in-memory index of its central directory, for random access
/// to hundreds of thousands of flat entries (the Open Images `{split}-masks-{0..f}.zip`).
///
/// ZIPFoundation's `Archive[path]` scans every entry on each lookup (linear in the archive size)
/// and its `Entry` values are too large to index 2.7M masks, so this reads the central directory
/// once (PKWARE APPNOTE 6.3: end-of-central-directory record, ZIP64 locator and extra fields) and
/// keeps about 30 bytes an entry: a 64-bit FNV-1a hash of the name and the local header offset,
/// sizes and method. A read checks the name stored in the local header, so a hash collision
/// cannot return the wrong file. Stored (0) and deflate (8) entries are supported.
///
/// Hostile archives are refused, never trapped on: every size, offset and count read from the file
/// goes through checked arithmetic and is compared with the archive's real size before anything is
/// allocated (a 300-byte zip claiming a 4 GB entry fails without a 4 GB read), and entries whose
/// names could leave a folder (`ContainedPath`: absolute, `..`) are not indexed.
///
/// Thread-safe: the index is immutable after `init` and reads use `pread` on a shared descriptor.
public final class ZipIndex: Sendable {
    /// The archive path.
    public let path: String
    private let fd: Int32
    private let byHash: [UInt64: Int32]
    private let overflow: [String: Int32]
    private let entries: [Entry]
    private let archiveSize: UInt64
    /// Entries left out of the index because their names could leave a folder.
    public let refusedNames: Int

    struct Entry: Sendable {
        var localHeaderOffset: UInt64
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var method: UInt16
    }

    /// The number of entries.
    public var count: Int { entries.count }

    /// Opens the archive and indexes its central directory.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        do {
            let directory = try Self.readCentralDirectory(fd: fd, path: path)
            self.entries = directory.entries
            self.byHash = directory.byHash
            self.overflow = directory.overflow
            self.archiveSize = directory.archiveSize
            self.refusedNames = directory.refusedNames
            self.fd = fd
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// True when the archive holds `name`.
    public func contains(_ name: String) -> Bool { (try? locate(name)) != nil }

    /// The uncompressed bytes of entry `name`; nil when absent. `limit` bounds the inflated size.
    public func read(_ name: String, limit: Int = 256 << 20) throws -> [UInt8]? {
        _ = try ContainedPath.check(name, what: "zip entry")
        guard let (entry, dataOffset) = try locate(name) else { return nil }
        guard entry.uncompressedSize <= UInt64(max(limit, 0)) else {
            throw DatasetFileError.badFormat(path: path, reason: "\(name) inflates to \(entry.uncompressedSize) bytes, above the limit")
        }
        let (dataEnd, overflow) = UInt64(dataOffset).addingReportingOverflow(entry.compressedSize)
        guard !overflow, dataEnd <= archiveSize, entry.method != 0 || entry.compressedSize == entry.uncompressedSize else {
            throw DatasetFileError.badFormat(path: path, reason: "\(name) claims \(entry.compressedSize) compressed bytes at offset \(dataOffset), past the end of the \(archiveSize)-byte archive")
        }
        var data = [UInt8](repeating: 0, count: Int(entry.compressedSize))
        try preadFully(fd, into: &data, at: dataOffset, path: path)
        switch entry.method {
        case 0:
            return data
        case 8:
            let result = data.withUnsafeBytes { buffer in
                Result { () throws(InflateError) in
                    try Inflate.inflate(buffer, framing: .raw, limit: limit, expectedSize: Int(entry.uncompressedSize))
                }
            }
            switch result {
            case .success(let bytes): return bytes
            case .failure(let error): throw DatasetFileError.badFormat(path: path, reason: "\(name): \(error.reason)")
            }
        default:
            throw DatasetFileError.badFormat(path: path, reason: "\(name) uses compression method \(entry.method); only stored and deflate are supported")
        }
    }

    /// The entry and its data offset, after checking the local header's name.
    private func locate(_ name: String) throws -> (Entry, Int)? {
        let nameBytes = Array(name.utf8)
        var candidates: [Int32] = []
        if let index = byHash[StableHash.fnv1a64(bytes: nameBytes)] { candidates.append(index) }
        if let index = overflow[name] { candidates.append(index) }
        for index in candidates {
            let entry = entries[Int(index)]
            var header = [UInt8](repeating: 0, count: 30 + nameBytes.count)
            guard entry.localHeaderOffset <= archiveSize - min(archiveSize, UInt64(header.count)) else {
                throw DatasetFileError.badFormat(path: path, reason: "local header of \(name) at offset \(entry.localHeaderOffset) lies past the end of the \(archiveSize)-byte archive")
            }
            try preadFully(fd, into: &header, at: Int(entry.localHeaderOffset), path: path)
            guard Self.u32(header, 0) == 0x0403_4B50 else {
                throw DatasetFileError.badFormat(path: path, reason: "bad local header for \(name)")
            }
            let nameLength = Int(Self.u16(header, 26)), extraLength = Int(Self.u16(header, 28))
            if nameLength == nameBytes.count && Array(header[30...]) == nameBytes {
                return (entry, Int(entry.localHeaderOffset) + 30 + nameLength + extraLength)
            }
        }
        return nil
    }

    @inline(__always) static func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
    @inline(__always) static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
    @inline(__always) static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(b, at)) | UInt64(u32(b, at + 4)) << 32 }

    /// What `readCentralDirectory` found.
    private struct Directory {
        var entries: [Entry] = []
        var byHash: [UInt64: Int32] = [:]
        var overflow: [String: Int32] = [:]
        var archiveSize: UInt64 = 0
        var refusedNames = 0
    }

    private static func readCentralDirectory(fd: Int32, path: String) throws -> Directory {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DatasetFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        func bad(_ reason: String) -> DatasetFileError { .badFormat(path: path, reason: reason) }
        let tailLength = min(size, 65_535 + 22 + 20)
        var tail = [UInt8](repeating: 0, count: tailLength)
        try preadFully(fd, into: &tail, at: size - tailLength, path: path)
        var eocd = -1
        var k = tailLength - 22
        while k >= 0 {
            if u32(tail, k) == 0x0605_4B50 { eocd = k; break }
            k -= 1
        }
        guard eocd >= 0 else { throw DatasetFileError.badFormat(path: path, reason: "not a zip archive (no end-of-central-directory record)") }
        var total = UInt64(u16(tail, eocd + 10))
        var directorySize = UInt64(u32(tail, eocd + 12))
        var directoryOffset = UInt64(u32(tail, eocd + 16))
        if eocd >= 20, u32(tail, eocd - 20) == 0x0706_4B50 {
            let claimed = u64(tail, eocd - 20 + 8)
            guard claimed <= UInt64(max(size - 56, 0)) else { throw bad("ZIP64 end record offset \(claimed) lies past the end of the file") }
            let recordOffset = Int(claimed)
            var record = [UInt8](repeating: 0, count: 56)
            try preadFully(fd, into: &record, at: recordOffset, path: path)
            guard u32(record, 0) == 0x0606_4B50 else { throw DatasetFileError.badFormat(path: path, reason: "bad ZIP64 end record") }
            total = u64(record, 32)
            directorySize = u64(record, 40)
            directoryOffset = u64(record, 48)
        }
        let (directoryEnd, directoryOverflow) = directoryOffset.addingReportingOverflow(directorySize)
        guard !directoryOverflow, directoryEnd <= UInt64(size) else {
            throw bad("central directory lies outside the file (truncated download?)")
        }
        var directory = [UInt8](repeating: 0, count: Int(directorySize))
        try preadFully(fd, into: &directory, at: Int(directoryOffset), path: path)
        // Each central directory record takes at least 46 bytes: no more entries than that fit.
        let plausible = Int(min(total, directorySize / 46, 10_000_000))
        var found = Directory(archiveSize: UInt64(size))
        found.entries.reserveCapacity(plausible)
        found.byHash.reserveCapacity(plausible)
        var at = 0
        while at + 46 <= directory.count {
            guard u32(directory, at) == 0x0201_4B50 else { break }
            let method = u16(directory, at + 10)
            var compressed = UInt64(u32(directory, at + 20))
            var uncompressed = UInt64(u32(directory, at + 24))
            let nameLength = Int(u16(directory, at + 28)), extraLength = Int(u16(directory, at + 30))
            let commentLength = Int(u16(directory, at + 32))
            var offset = UInt64(u32(directory, at + 42))
            let nameStart = at + 46
            guard nameStart + nameLength + extraLength <= directory.count else { break }
            // ZIP64 extended information: the 64-bit values present in this order, only for fields saturated at 0xFFFFFFFF.
            var extra = nameStart + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = u16(directory, extra), length = Int(u16(directory, extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    if uncompressed == 0xFFFF_FFFF, field + 8 <= extraEnd { uncompressed = u64(directory, field); field += 8 }
                    if compressed == 0xFFFF_FFFF, field + 8 <= extraEnd { compressed = u64(directory, field); field += 8 }
                    if offset == 0xFFFF_FFFF, field + 8 <= extraEnd { offset = u64(directory, field) }
                }
                extra += 4 + length
            }
            at = nameStart + nameLength + extraLength + commentLength
            let nameBytes = directory[nameStart..<(nameStart + nameLength)]
            let safe = nameBytes.withUnsafeBufferPointer { ContainedPath.problem(in: $0) == nil }
            guard safe else {
                found.refusedNames += 1
                continue
            }
            guard found.entries.count < Int(Int32.max) else { throw bad("more than \(Int32.max) entries") }
            let index = Int32(found.entries.count)
            found.entries.append(Entry(localHeaderOffset: offset, compressedSize: compressed, uncompressedSize: uncompressed, method: method))
            let hash = StableHash.fnv1a64(bytes: nameBytes)
            if found.byHash[hash] == nil {
                found.byHash[hash] = index
            } else {
                found.overflow[String(decoding: nameBytes, as: UTF8.self)] = index
            }
        }
        return found
    }
}
