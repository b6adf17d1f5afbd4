import Foundation
import Support

/// Where shards and their indexes live and how they are named (docs/CONTRACTS.md):
/// `WORKDIR/shards/{split}-{000000}.tar` with the index `{split}-{000000}.json` beside it.
public enum ShardNaming {
    /// The tar file name of shard `number` of `split`, e.g. "train-000007.tar".
    public static func tarName(split: String, number: Int) -> String { stem(split: split, number: number) + ".tar" }
    /// The index file name of shard `number` of `split`, e.g. "train-000007.json".
    public static func indexName(split: String, number: Int) -> String { stem(split: split, number: number) + ".json" }
    /// "{split}-{000000}".
    public static func stem(split: String, number: Int) -> String {
        let digits = String(number)
        return split + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
    /// The brace pattern WebDataset readers expand, e.g. "DIR/train-{000000..000012}.tar".
    public static func urlPattern(folder: String, split: String, count: Int) -> String {
        guard count > 1 else { return folder + "/" + tarName(split: split, number: 0) }
        let last = stem(split: split, number: count - 1).dropFirst(split.count + 1)
        return folder + "/" + split + "-{000000.." + last + "}.tar"
    }
    /// Throws unless `split` is a usable split name: lower-case letters, digits, '_' (no '-', '.', '/').
    public static func validateSplit(_ split: String) throws {
        guard !split.isEmpty, split.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) else {
            throw ShardError(.badSplitName, "split name \"\(split)\" must be lower-case letters, digits or '_'")
        }
    }
}

/// The index written beside a finished shard (docs/CONTRACTS.md: sample count, byte size,
/// sha256), plus first/last key. It is written atomically and only after the tar is fsynced and
/// renamed, so its presence is the "shard done" marker (img2dataset's `_stats.json` rule).
public struct ShardIndex: Sendable, Equatable {
    /// Split name, e.g. "train".
    public let split: String
    /// Shard number within the split.
    public let number: Int
    /// The tar's file name, e.g. "train-000000.tar".
    public let shard: String
    /// Samples in the shard.
    public let sampleCount: Int
    /// The tar's size in bytes.
    public let byteCount: Int
    /// Lower-case hex SHA-256 of the tar bytes.
    public let sha256: String
    /// Key of the first sample.
    public let firstKey: String
    /// Key of the last sample.
    public let lastKey: String

    /// Creates an index record.
    public init(split: String, number: Int, sampleCount: Int, byteCount: Int, sha256: String, firstKey: String, lastKey: String) {
        self.split = split
        self.number = number
        self.shard = ShardNaming.tarName(split: split, number: number)
        self.sampleCount = sampleCount
        self.byteCount = byteCount
        self.sha256 = sha256
        self.firstKey = firstKey
        self.lastKey = lastKey
    }

    /// The canonical JSON of the index.
    public var json: JSONValue {
        .object([
            "shard": .string(shard), "split": .string(split), "number": .int(number),
            "samples": .int(sampleCount), "bytes": .int(byteCount), "sha256": .string(sha256),
            "first_key": .string(firstKey), "last_key": .string(lastKey), "format": .string("webdataset"),
        ])
    }

    /// Writes the index atomically into `folder` under `{split}-{number}.json`.
    public func write(folder: String) throws {
        try AtomicFile.write(try json.encoded() + [0x0A], to: folder + "/" + ShardNaming.indexName(split: split, number: number))
    }

    /// Reads the index of shard `number` of `split` from `folder`; nil when it does not exist.
    public static func load(folder: String, split: String, number: Int) throws -> ShardIndex? {
        let path = folder + "/" + ShardNaming.indexName(split: split, number: number)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let samples = object["samples"] as? Int, let bytes = object["bytes"] as? Int,
              let sha = object["sha256"] as? String, let first = object["first_key"] as? String,
              let last = object["last_key"] as? String else {
            throw ShardError(.badShardIndex, "shard index \(path) is not a valid index; delete it and rewrite the shard")
        }
        return ShardIndex(split: split, number: number, sampleCount: samples, byteCount: bytes, sha256: sha, firstKey: first, lastKey: last)
    }

    /// Is the shard this index describes present and intact? Checks the tar's size, and its
    /// SHA-256 too when `checkHash` is set. A resuming stage skips shards for which this is true.
    public func isIntact(folder: String, checkHash: Bool) throws -> Bool {
        let path = folder + "/" + shard
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int, size == byteCount else { return false }
        return checkHash ? try sha256OfFile(path) == sha256 : true
    }
}
