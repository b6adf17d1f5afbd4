/// POSIX ustar header encoding and decoding (POSIX.1-1988 "ustar" as summarised in
/// POSIX ustar, pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html): 512-byte blocks, octal numeric fields, checksum = byte sum with the
/// checksum field read as spaces, magic "ustar\0" + version "00", names over 100 bytes split
/// at a '/' into prefix[155] + name[100].
public enum TarHeader {
    /// The tar block size; headers are one block, data is padded to a whole number of blocks.
    public static let blockSize = 512
    /// Largest member size a 11-digit octal size field can hold (8 GiB - 1).
    public static let maximumMemberSize = (1 << 33) - 1

    /// The number of bytes a member of `size` data bytes occupies in the archive (header + padded data).
    public static func archivedSize(ofMemberWithDataSize size: Int) -> Int {
        blockSize + paddedSize(size)
    }

    /// `size` rounded up to a whole number of 512-byte blocks.
    public static func paddedSize(_ size: Int) -> Int {
        (size + blockSize - 1) / blockSize * blockSize
    }

    /// Splits a member path into ustar (prefix, name): the whole path when it fits in 100 bytes,
    /// else at the last '/' that leaves a name of at most 100 bytes and a prefix of at most 155.
    public static func splitName(_ path: String) throws -> (prefix: [UInt8], name: [UInt8]) {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty else { throw ShardError(.tarBadName, "a tar member name cannot be empty") }
        guard !bytes.contains(0) else { throw ShardError(.tarBadName, "tar member name contains a NUL byte: \(path)") }
        if bytes.count <= 100 { return ([], bytes) }
        var index = bytes.count - 1
        while index > 0 {
            if bytes[index] == UInt8(ascii: "/") {
                let prefix = Array(bytes[..<index])
                let name = Array(bytes[(index + 1)...])
                if name.count <= 100, prefix.count <= 155, !name.isEmpty { return (prefix, name) }
                if name.count > 100 { break }
            }
            index -= 1
        }
        throw ShardError(.tarNameTooLong,
                         "tar member name \(path) (\(bytes.count) bytes) cannot be split into ustar prefix[155] + name[100]; shorten it")
    }

    /// Encodes the 512-byte header of a regular file member.
    public static func encode(path: String, size: Int, options: TarOptions) throws -> [UInt8] {
        guard size >= 0, size <= maximumMemberSize else {
            throw ShardError(.tarMemberTooLarge, "tar member \(path) has \(size) bytes; ustar allows at most 8 GiB - 1")
        }
        let (prefix, name) = try splitName(path)
        var header = [UInt8](repeating: 0, count: blockSize)
        put(name, at: 0, width: 100, into: &header)
        try putOctal(options.mode, at: 100, width: 8, into: &header, field: "mode")
        try putOctal(options.uid, at: 108, width: 8, into: &header, field: "uid")
        try putOctal(options.gid, at: 116, width: 8, into: &header, field: "gid")
        try putOctal(size, at: 124, width: 12, into: &header, field: "size")
        try putOctal(options.mtime, at: 136, width: 12, into: &header, field: "mtime")
        for i in 148..<156 { header[i] = 0x20 }
        header[156] = UInt8(ascii: "0")
        put(Array("ustar".utf8) + [0], at: 257, width: 6, into: &header)
        put(Array("00".utf8), at: 263, width: 2, into: &header)
        let uname = Array(options.uname.utf8), gname = Array(options.gname.utf8)
        guard uname.count < 32, gname.count < 32 else {
            throw ShardError(.tarBadOwner, "tar uname/gname must be shorter than 32 bytes")
        }
        put(uname, at: 265, width: 32, into: &header)
        put(gname, at: 297, width: 32, into: &header)
        try putOctal(0, at: 329, width: 8, into: &header, field: "devmajor")
        try putOctal(0, at: 337, width: 8, into: &header, field: "devminor")
        put(prefix, at: 345, width: 155, into: &header)
        let sum = header.reduce(0) { $0 + Int($1) }
        // GNU and POSIX both accept six octal digits, NUL, space.
        let digits = Array(String(sum, radix: 8).utf8)
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits
        put(padded + [0, 0x20], at: 148, width: 8, into: &header)
        return header
    }

    /// A decoded header: the member path (prefix joined), data size and type flag.
    public struct Decoded: Sendable, Equatable {
        /// Full member path (prefix + "/" + name when a prefix is present).
        public let path: String
        /// Data size in bytes.
        public let size: Int
        /// The type flag byte ('0' or NUL for a regular file).
        public let typeFlag: UInt8
    }

    /// Decodes a header block, verifying its checksum; returns nil for an all-zero block (end of archive).
    public static func decode(_ block: UnsafeRawBufferPointer) throws -> Decoded? {
        guard block.count >= blockSize else { throw ShardError(.tarTruncated, "tar header block is truncated") }
        if block[0..<blockSize].allSatisfy({ $0 == 0 }) { return nil }
        var sum = 0
        for i in 0..<blockSize { sum += (148..<156).contains(i) ? 0x20 : Int(block[i]) }
        let stored = try octal(block, 148, 8, field: "chksum")
        guard stored == sum else {
            throw ShardError(.tarBadChecksum, "tar header checksum \(stored) does not match computed \(sum)")
        }
        let name = string(block, 0, 100)
        let prefix = Array(block[257..<262]) == Array("ustar".utf8) ? string(block, 345, 155) : ""
        let size = try octal(block, 124, 12, field: "size")
        return Decoded(path: prefix.isEmpty ? name : prefix + "/" + name, size: size, typeFlag: block[156])
    }

    private static func put(_ bytes: [UInt8], at offset: Int, width: Int, into header: inout [UInt8]) {
        for (i, byte) in bytes.prefix(width).enumerated() { header[offset + i] = byte }
    }

    private static func putOctal(_ value: Int, at offset: Int, width: Int, into header: inout [UInt8], field: String) throws {
        let digits = Array(String(value, radix: 8).utf8)
        guard value >= 0, digits.count <= width - 1 else {
            throw ShardError(.tarFieldOverflow, "tar \(field) value \(value) does not fit in \(width - 1) octal digits")
        }
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: width - 1 - digits.count) + digits + [0]
        put(padded, at: offset, width: width, into: &header)
    }

    private static func string(_ block: UnsafeRawBufferPointer, _ offset: Int, _ width: Int) -> String {
        var bytes: [UInt8] = []
        for i in offset..<(offset + width) {
            if block[i] == 0 { break }
            bytes.append(block[i])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func octal(_ block: UnsafeRawBufferPointer, _ offset: Int, _ width: Int, field: String) throws -> Int {
        var value = 0
        var seen = false
        for i in offset..<(offset + width) {
            let byte = block[i]
            if byte == 0 || byte == 0x20 { if seen { break } else { continue } }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "7") else {
                throw ShardError(.tarBadHeader, "tar \(field) field is not octal")
            }
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
            seen = true
        }
        return value
    }
}
