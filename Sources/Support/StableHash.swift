/// Stable, platform-independent hashes of strings (FNV-1a 64), used for partitioning items and
/// deriving per-item seeds; Swift's `Hasher` is randomised per process and must never be used for that.
public enum StableHash {
    /// FNV-1a 64-bit hash of the UTF-8 bytes of `text` (Fowler, Noll, Vo; IETF draft-eastlake-fnv).
    public static func fnv1a64(_ text: String) -> UInt64 {
        fnv1a64(bytes: Array(text.utf8))
    }

    /// FNV-1a 64-bit hash of raw bytes, continuing from `basis` so hashes can be chained.
    public static func fnv1a64<Bytes: Sequence>(bytes: Bytes, basis: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64
    where Bytes.Element == UInt8 {
        var hash = basis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The partition (0..<count) an item key belongs to: FNV-1a of the key, mixed, modulo count.
    public static func partition(of key: String, count: Int) -> Int {
        precondition(count > 0, "partition count must be positive")
        var mixer = SplitMix64(state: fnv1a64(key))
        return Int(mixer.next() % UInt64(count))
    }

    /// The seed of one item's random stream, derived from (run seed, stage, item key).
    public static func itemSeed(runSeed: UInt64, stage: String, item: String) -> UInt64 {
        var mixer = SplitMix64(state: runSeed)
        let salted = mixer.next()
        let withStage = fnv1a64(bytes: Array(stage.utf8) + [0], basis: salted ^ 0xCBF2_9CE4_8422_2325)
        let withItem = fnv1a64(bytes: Array(item.utf8), basis: withStage)
        var finisher = SplitMix64(state: withItem)
        return finisher.next()
    }
}
