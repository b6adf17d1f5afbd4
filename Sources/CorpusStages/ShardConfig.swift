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
