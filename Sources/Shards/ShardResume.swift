import Foundation

/// Resumable shard writing for a stage (docs/CONTRACTS.md: stages resume after failures; img2dataset's
/// lesson that the shard, marked done by its index, is the unit of work). Given the plan of a
/// split (`ShardLimits.plan` over the ordered samples' archived sizes — or, with only a count cap,
/// over zeros), shards whose index is present and whose tar is intact are kept; the others are
/// rebuilt from their samples, which are produced only for those shards. Shards numbered past the
/// plan (left by an earlier, larger run) are removed, so the folder holds exactly the plan.
/// With `shardsInFlight` 2 (the default) a written shard is finished and published in the
/// background (`ShardPublisher`) while the next shard's samples are produced and written, so a
/// kill loses at most the two shards in flight; each is still published only after its fsync.
public enum ShardResume {
    /// What a resumable write did.
    public struct Outcome: Sendable, Equatable {
        /// Indexes of shards written by this call.
        public var written: [ShardIndex] = []
        /// Indexes of shards found intact and kept.
        public var kept: [ShardIndex] = []
        /// File names of stale shards and indexes removed.
        public var removed: [String] = []
    }

    /// Writes the planned shards of `split` into `folder`, skipping intact ones. `samples(range)`
    /// returns the samples at those positions of the ordered list, in order. With `shardsInFlight`
    /// 2, a shard's samples are held until its hash is done, while the next shard's are produced.
    public static func write(plan: [Range<Int>], folder: String, split: String, limits: ShardLimits, options: TarOptions = .reproducible,
                             checkHash: Bool = true, shardsInFlight: Int = 2,
                             samples: (Range<Int>) throws -> [WebDatasetSample]) throws -> Outcome {
        try ShardNaming.validateSplit(split)
        var outcome = Outcome()
        let publisher = ShardPublisher(shardsInFlight: shardsInFlight)
        do {
            for (number, range) in plan.enumerated() {
                if let index = try? ShardIndex.load(folder: folder, split: split, number: number), index.sampleCount == range.count,
                   try index.isIntact(folder: folder, checkHash: checkHash) {
                    outcome.kept.append(index)
                    continue
                }
                try ShardSequenceWriter.writeShard(try samples(range), folder: folder, split: split, number: number, limits: limits,
                                                   options: options, publisher: publisher)
            }
            outcome.written = try publisher.waitForAll()
        } catch {
            _ = try? publisher.waitForAll()
            throw error
        }
        // Stale shards past the plan: indexes first, then tars, so a crash in between never
        // leaves an index whose tar is gone or a tar that still looks done.
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        for suffix in [".json", ".tar"] {
            for name in names where name.hasPrefix(split + "-") && name.hasSuffix(suffix) {
                guard let number = Int(name.dropLast(suffix.count).dropFirst(split.count + 1)), number >= plan.count else { continue }
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
                outcome.removed.append(name)
            }
        }
        return outcome
    }
}
