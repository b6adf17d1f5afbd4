/// Caps on one shard's sample count and byte size, and the single boundary rule every writer
/// and planner uses, so shard boundaries depend only on the ordered list of samples (their
/// archived sizes), never on timing, threads or where a previous run stopped.
/// webdataset's documentation, github.com/webdataset/webdataset: typical WebDataset shards are 0.25-1 GB.
public struct ShardLimits: Sendable, Equatable {
    /// At most this many samples per shard.
    public var maxSamples: Int
    /// At most this many bytes per shard (tar size including the end blocks), unless a single
    /// sample is larger, in which case that sample gets a shard of its own.
    public var maxBytes: Int

    /// Creates limits; defaults are 10,000 samples and 1 GiB.
    public init(maxSamples: Int = 10_000, maxBytes: Int = 1 << 30) {
        precondition(maxSamples > 0 && maxBytes > 0, "shard limits must be positive")
        self.maxSamples = maxSamples
        self.maxBytes = maxBytes
    }

    /// The boundary rule: does a sample of `sampleBytes` archived bytes start a new shard when the
    /// current one holds `count` samples and `bytes` archived bytes (end blocks not counted)?
    public func startsNewShard(count: Int, bytes: Int, sampleBytes: Int) -> Bool {
        guard count > 0 else { return false }
        return count >= maxSamples || bytes + sampleBytes + 2 * TarHeader.blockSize > maxBytes
    }

    /// Plans shards for an ordered list of per-sample archived sizes (`WebDatasetSample.archivedSize`):
    /// the ranges of sample positions each shard holds, numbered from 0. Same rule as the writer,
    /// so a resuming stage can find which samples belong to a missing shard without encoding the others.
    public func plan(archivedSizes: [Int]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0, count = 0, bytes = 0
        for (position, size) in archivedSizes.enumerated() {
            if startsNewShard(count: count, bytes: bytes, sampleBytes: size) {
                ranges.append(start..<position)
                start = position; count = 0; bytes = 0
            }
            count += 1; bytes += size
        }
        if count > 0 { ranges.append(start..<archivedSizes.count) }
        return ranges
    }
}
