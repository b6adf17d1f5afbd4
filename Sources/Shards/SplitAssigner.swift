import Support

/// Assigns train/val/test by a stable hash of the SOURCE id (the Objaverse asset uid or the Open
/// Images photo id), never of the sample id: every sample of one source lands in the same split,
/// so no object or photo leaks between training and evaluation (docs/CONTRACTS.md, cn-shard). The hash is
/// FNV-1a 64 of "salt \0 source" finished with SplitMix64 (Support.StableHash), mapped to [0, 1)
/// and cut at the cumulative ratios; the result depends on nothing but the source id, salt and ratios.
public struct SplitAssigner: Sendable {
    /// (split name, ratio) in order; ratios are normalised to sum to 1.
    public let splits: [(name: String, ratio: Double)]
    /// Mixed into the hash so a project can draw a different, still stable, partition.
    public let salt: String
    private let cumulative: [Double]

    /// Creates the assigner; ratios must be non-negative with a positive sum, names valid split names.
    public init(splits: [(name: String, ratio: Double)], salt: String = "cn-split") throws {
        guard !splits.isEmpty, splits.allSatisfy({ $0.ratio >= 0 && $0.ratio.isFinite }) else {
            throw ShardError(.badSplitRatios, "split ratios must be finite and non-negative")
        }
        let total = splits.reduce(0) { $0 + $1.ratio }
        guard total > 0 else { throw ShardError(.badSplitRatios, "split ratios must not all be zero") }
        guard Set(splits.map(\.name)).count == splits.count else {
            throw ShardError(.badSplitRatios, "split names repeat")
        }
        for split in splits { try ShardNaming.validateSplit(split.name) }
        self.splits = splits
        self.salt = salt
        var running = 0.0
        cumulative = splits.map { running += $0.ratio / total; return running }
    }

    /// The usual 0.98 / 0.01 / 0.01 train/val/test assigner.
    public static func standard(train: Double = 0.98, val: Double = 0.01, test: Double = 0.01) throws -> SplitAssigner {
        try SplitAssigner(splits: [("train", train), ("val", val), ("test", test)])
    }

    /// The position in [0, 1) a source id hashes to.
    public func unitHash(of source: String) -> Double {
        let hash = StableHash.fnv1a64(bytes: Array(salt.utf8) + [0] + Array(source.utf8))
        var mixer = SplitMix64(state: hash)
        return Double(mixer.next() >> 11) / Double(UInt64(1) << 53)
    }

    /// The split of a source id.
    public func split(ofSource source: String) -> String {
        let u = unitHash(of: source)
        for (index, bound) in cumulative.enumerated() where u < bound && splits[index].ratio > 0 { return splits[index].name }
        return splits.last(where: { $0.ratio > 0 })!.name
    }
}
