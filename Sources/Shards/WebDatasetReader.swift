import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Streams the samples of one WebDataset shard in order without loading the tar whole (for the
/// bundled trainer and evaluator, and for reading shards other tools wrote). Members are grouped
/// into samples by key = the member name up to the first dot of its basename, field = the rest
/// lower-cased (github.com/webdataset/webdataset, webdataset's tar grouping); a new key ends the previous sample.
/// Directory entries, pax/GNU extended headers and other non-regular members are skipped.
public final class WebDatasetReader: IteratorProtocol, Sequence {
    /// The shard being read.
    public let path: String
    private let fd: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var pendingMember: (key: String, field: String, bytes: [UInt8])?
    private var atEnd = false
    private var longPath: String?
    /// Names of regular members skipped because they have no "key.field" form.
    public private(set) var skippedMembers: [String] = []
    /// The first error met while reading (truncation, bad header); iteration stops there.
    public private(set) var error: ShardError?

    /// Opens a shard for reading.
    public init(path: String, bufferSize: Int = 1 << 20) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileWriteError(path: path, operation: "open", errno: errno) }
        self.path = path
        self.fd = fd
        buffer = [UInt8](repeating: 0, count: Swift.max(bufferSize, 4096))
    }

    deinit { close(fd) }

    /// The next sample, or nil at the end of the shard or after an error (see `error`).
    public func next() -> WebDatasetSample? {
        do { return try nextSample() } catch let failure as ShardError {
            error = failure
            atEnd = true
            return nil
        } catch {
            self.error = ShardError(.tarUnreadable, "\(path): \(error)")
            atEnd = true
            return nil
        }
    }

    /// Reads every remaining sample, throwing on the first error.
    public func readAll() throws -> [WebDatasetSample] {
        var samples: [WebDatasetSample] = []
        while let sample = next() { samples.append(sample) }
        if let error { throw error }
        return samples
    }

    private func nextSample() throws -> WebDatasetSample? {
        var key: String?
        var fields: [(name: String, bytes: [UInt8])] = []
        while true {
            let member: (key: String, field: String, bytes: [UInt8])
            if let pending = pendingMember {
                member = pending
                pendingMember = nil
            } else if let read = try readMember() {
                member = read
            } else {
                break
            }
            if let current = key, current != member.key {
                pendingMember = member
                break
            }
            key = member.key
            fields.append((member.field, member.bytes))
        }
        guard let key else { return nil }
        return WebDatasetSample(readKey: key, fields: fields)
    }

    /// The next regular member split into (key, field, bytes); nil at the end-of-archive marker.
    private func readMember() throws -> (key: String, field: String, bytes: [UInt8])? {
        while !atEnd {
            let block = try take(TarHeader.blockSize)
            guard let header = try block.withUnsafeBytes({ try TarHeader.decode($0) }) else {
                atEnd = true
                return nil
            }
            let data = try take(header.size)
            _ = try take(TarHeader.paddedSize(header.size) - header.size)
            switch header.typeFlag {
            case UInt8(ascii: "x"):   // pax extended header: its "path" record names the next member
                longPath = WebDatasetReader.paxPath(data) ?? longPath
                continue
            case UInt8(ascii: "L"):   // GNU long name: the data is the next member's name
                longPath = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                continue
            case UInt8(ascii: "0"), 0:
                break
            default:
                longPath = nil
                continue
            }
            let path = longPath ?? header.path
            longPath = nil
            let folderEnd = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
            let base = path[folderEnd...]
            guard let dot = base.firstIndex(of: ".") else {
                skippedMembers.append(path)
                continue
            }
            let key = String(path[..<dot]), field = String(base[base.index(after: dot)...]).lowercased()
            return (key, field, data)
        }
        return nil
    }

    /// The "path" value of pax records ("LEN path=VALUE\n"), if present.
    static func paxPath(_ data: [UInt8]) -> String? {
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: 0x20), let length = Int(String(decoding: data[index..<space], as: UTF8.self)),
                  length > 0, index + length <= data.count else { return nil }
            let record = data[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")), String(decoding: record[..<equals], as: UTF8.self) == "path" {
                return String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            index += length
        }
        return nil
    }

    private func take(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if start == end {
                let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if got < 0, errno == EINTR { continue }
                guard got > 0 else { throw ShardError(.tarTruncated, "\(path) ends in the middle of a member") }
                start = 0
                end = got
            }
            let n = Swift.min(count - out.count, end - start)
            out.append(contentsOf: buffer[start..<(start + n)])
            start += n
        }
        return out
    }
}
