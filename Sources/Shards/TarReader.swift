import Foundation

/// One regular-file member read back from a tar archive.
public struct TarEntry: Sendable, Equatable {
    /// The member path (ustar prefix joined to the name).
    public let path: String
    /// The member's data.
    public let bytes: [UInt8]
}

/// A minimal ustar reader for verifying what `TarWriter` produced (POSIX ustar, pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html, WebDataset tar
/// shards): walks headers, checks checksums, requires the two-zero-block end marker.
public enum TarReader {
    /// Reads every member of the archive at `path`.
    public static func read(path: String) throws -> [TarEntry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShardError(.tarUnreadable, "cannot read tar \(path)")
        }
        return try read(bytes: [UInt8](data))
    }

    /// Reads every member of an archive held in memory; throws on truncation or a bad header.
    public static func read(bytes: [UInt8]) throws -> [TarEntry] {
        try bytes.withUnsafeBytes { raw in
            var entries: [TarEntry] = []
            var offset = 0
            while true {
                guard offset + TarHeader.blockSize <= raw.count else {
                    throw ShardError(.tarTruncated, "tar ends at byte \(raw.count) without its end-of-archive blocks")
                }
                let block = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + TarHeader.blockSize)])
                guard let header = try TarHeader.decode(block) else {
                    guard offset + 2 * TarHeader.blockSize <= raw.count,
                          raw[(offset + TarHeader.blockSize)..<(offset + 2 * TarHeader.blockSize)].allSatisfy({ $0 == 0 }) else {
                        throw ShardError(.tarTruncated, "tar has a single zero block instead of the two-block end marker")
                    }
                    return entries
                }
                let start = offset + TarHeader.blockSize
                guard start + header.size <= raw.count else {
                    throw ShardError(.tarTruncated, "tar member \(header.path) is cut short")
                }
                if header.typeFlag == UInt8(ascii: "0") || header.typeFlag == 0 {
                    entries.append(TarEntry(path: header.path, bytes: Array(raw[start..<(start + header.size)])))
                }
                offset = start + TarHeader.paddedSize(header.size)
            }
        }
    }
}
