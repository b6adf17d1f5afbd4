import Pipeline

/// The `shard` step's settings: split ratios, shard caps, and the split salt.
public struct ShardConfig: StageConfiguration, Equatable {
    /// Fractions of sources per split (normalised).
    public var train = 0.9, val = 0.05, test = 0.05
    /// At most this many samples per shard.
    public var maxSamples = 10_000
    /// At most this many bytes per shard (0: no byte cap, shards planned by count only).
    public var maxBytes = 0
    /// Mixed into the split hash; change it to draw another (still stable) partition.
    public var splitSalt = "cn-split"

    /// The defaults.
    public init() {}

    /// Every setting within its range: a shard cap of 0 or negative, NaN or all-zero split
    /// fractions would trap or write nothing.
    public func validate(_ check: ConfigCheck) throws {
        try check.number(CodingKeys.train.rawValue, train, in: 0...1)
        try check.number(CodingKeys.val.rawValue, val, in: 0...1)
        try check.number(CodingKeys.test.rawValue, test, in: 0...1)
        try check.require(train + val + test > 0, "train, val and test", "must not all be 0")
        try check.integer(CodingKeys.maxSamples.rawValue, maxSamples, in: 1...100_000_000)
        try check.integer(CodingKeys.maxBytes.rawValue, maxBytes, in: 0...(1 << 50))
    }

    /// The accepted keys.
    public static var acceptedKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case train, val, test
        case maxSamples = "max_samples", maxBytes = "max_bytes", splitSalt = "split_salt"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ShardConfig()
        train = try c.decodeIfPresent(Double.self, forKey: .train) ?? d.train
        val = try c.decodeIfPresent(Double.self, forKey: .val) ?? d.val
        test = try c.decodeIfPresent(Double.self, forKey: .test) ?? d.test
        maxSamples = try c.decodeIfPresent(Int.self, forKey: .maxSamples) ?? d.maxSamples
        maxBytes = try c.decodeIfPresent(Int.self, forKey: .maxBytes) ?? d.maxBytes
        splitSalt = try c.decodeIfPresent(String.self, forKey: .splitSalt) ?? d.splitSalt
    }
}
