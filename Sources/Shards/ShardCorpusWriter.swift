/// Writes CustomNet samples of every split into `{folder}/{split}-{000000}.tar` (docs/CONTRACTS.md
/// CONTRACT), one `ShardSequenceWriter` per split, created on first use. Feed samples in the
/// stage's deterministic order (e.g. by sample id); each split's shards then depend only on that
/// split's ordered subsequence, so a rerun rewrites identical shards.
public final class ShardCorpusWriter {
    /// The shard folder (usually `WORKDIR/shards`).
    public let folder: String
    /// Per-shard caps.
    public let limits: ShardLimits
    /// Fixed tar header fields.
    public let options: TarOptions
    /// Width of the zero-padded sample keys.
    public let keyWidth: Int
    private var writers: [String: ShardSequenceWriter] = [:]

    /// Prepares the writer; nothing is created until the first sample arrives.
    public init(folder: String, limits: ShardLimits = ShardLimits(), options: TarOptions = .reproducible, keyWidth: Int = 10) {
        self.folder = folder
        self.limits = limits
        self.options = options
        self.keyWidth = keyWidth
    }

    /// Appends a sample to its split's shards; returns indexes of shards this closed.
    @discardableResult
    public func append(_ sample: CustomNetSample) throws -> [ShardIndex] {
        try append(try sample.webDatasetSample(keyWidth: keyWidth), split: sample.split)
    }

    /// Appends an already assembled WebDataset sample to `split`.
    @discardableResult
    public func append(_ sample: WebDatasetSample, split: String) throws -> [ShardIndex] {
        if writers[split] == nil {
            writers[split] = try ShardSequenceWriter(folder: folder, split: split, limits: limits, options: options)
        }
        return try writers[split]!.append(sample)
    }

    /// Closes every split's last shard; returns all indexes by split.
    @discardableResult
    public func finish() throws -> [String: [ShardIndex]] {
        var result: [String: [ShardIndex]] = [:]
        for split in writers.keys.sorted() { result[split] = try writers[split]!.finish() }
        return result
    }

    /// Drops every open (unfinished) shard; finished shards stay.
    public func abandon() {
        for writer in writers.values { writer.abandon() }
    }
}
