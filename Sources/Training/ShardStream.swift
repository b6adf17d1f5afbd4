// Follows webdataset's `shuffle` stage (a buffer of N samples; each incoming sample replaces a
// randomly chosen one, which is emitted) and the shards contract of docs/CONTRACTS.md
// (`WORKDIR/shards/{split}-{000000}.tar`, fields target.png, ref.png, concat.png, txt, json).
import Foundation
import Support
import Shards

/// The shards of one split, in name order, with their sample counts (from the index JSON beside
/// each tar, or by reading the tar when the index is missing).
public struct ShardSet: Sendable {
    /// Tar paths in name order.
    public let paths: [String]
    /// Samples per shard.
    public let counts: [Int]
    /// Total samples.
    public var total: Int { counts.reduce(0, +) }

    /// The shards `folder/{split}-*.tar`; `verify` checks each tar's sha256 against its index.
    public init(folder: String, split: String, verify: Bool = false) throws {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix(split + "-") && $0.hasSuffix(".tar") }.sorted()
        var paths: [String] = [], counts: [Int] = []
        for name in names {
            let path = folder + "/" + name
            let indexPath = String(path.dropLast(4)) + ".json"
            var count: Int?
            if let data = FileManager.default.contents(atPath: indexPath),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                count = (object["samples"] as? Int) ?? (object["sample_count"] as? Int) ?? (object["count"] as? Int)
                if verify, let expected = object["sha256"] as? String {
                    let actual = SHA256.hex(FileManager.default.contents(atPath: path) ?? Data())
                    guard actual == expected else { throw TrainingError("shard \(path) does not match its index (sha256 \(actual) vs \(expected))") }
                }
            }
            if count == nil { count = try WebDatasetReader(path: path).readAll().count }
            paths.append(path)
            counts.append(count!)
        }
        self.paths = paths
        self.counts = counts
    }
}

/// An endless, seeded, reproducible stream of raw samples over a shard set: each epoch visits
/// the shards in a seeded order and passes their samples through a seeded shuffle buffer. The
/// stream's whole state is a function of (seed, position): `init(…, position:)` rebuilds it by
/// replaying the current epoch up to the position (reading tar bytes, decoding nothing).
public final class ShuffledShardStream {
    /// The shards.
    public let shards: ShardSet
    /// Run seed, buffer size.
    public let seed: UInt64, bufferSize: Int
    /// Samples taken so far over all epochs (the data position stored in checkpoints).
    public private(set) var position = 0
    private var epoch = -1
    private var order: [Int] = []
    private var shardCursor = 0
    private var reader: WebDatasetReader?
    private var buffer: [WebDatasetSample] = []
    private var random = SeededRandom(seed: 0)

    /// A stream positioned after `position` samples.
    public init(shards: ShardSet, seed: UInt64, bufferSize: Int, position: Int = 0) throws {
        guard shards.total > 0 else { throw TrainingError("no training samples: the shards hold none") }
        self.shards = shards
        self.seed = seed
        self.bufferSize = max(1, bufferSize)
        let perEpoch = shards.total
        try startEpoch(position / perEpoch)
        position_loop: for _ in 0..<(position % perEpoch) {
            guard try nextRaw() != nil else { break position_loop }
        }
        self.position = position
    }

    /// The current epoch (0-based).
    public var currentEpoch: Int { epoch }

    private func startEpoch(_ e: Int) throws {
        epoch = e
        var shuffle = SeededRandom(runSeed: seed, stage: "cn-train-shards", item: "epoch-\(e)")
        order = Array(0..<shards.paths.count)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, shuffle.integer(below: i + 1)) }
        random = SeededRandom(runSeed: seed, stage: "cn-train-buffer", item: "epoch-\(e)")
        shardCursor = 0
        reader = nil
        buffer = []
    }

    private func incoming() throws -> WebDatasetSample? {
        while true {
            if let r = reader, let sample = r.next() { return sample }
            if let r = reader, let error = r.error { throw TrainingError("cannot read shard \(r.path): \(error)") }
            guard shardCursor < order.count else { return nil }
            reader = try WebDatasetReader(path: shards.paths[order[shardCursor]])
            shardCursor += 1
        }
    }

    /// The next sample of this epoch, or nil when the epoch is exhausted.
    private func nextRaw() throws -> WebDatasetSample? {
        while buffer.count < bufferSize, let s = try incoming() { buffer.append(s) }
        guard !buffer.isEmpty else { return nil }
        let j = random.integer(below: buffer.count)
        if let s = try incoming() {
            let out = buffer[j]
            buffer[j] = s
            return out
        }
        return buffer.remove(at: j)
    }

    /// The next sample, starting a new epoch when the current one is exhausted.
    public func next() throws -> WebDatasetSample {
        if let s = try nextRaw() { position += 1; return s }
        try startEpoch(epoch + 1)
        guard let s = try nextRaw() else { throw TrainingError("the shards yield no samples") }
        position += 1
        return s
    }
}
