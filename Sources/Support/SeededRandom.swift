/// A deterministic random stream (xoshiro256**, seeded through SplitMix64) so that the same
/// seed gives the same numbers on every machine; follows Blackman & Vigna, "Scrambled linear
/// pseudorandom number generators" (2021), reference code at prng.di.unimi.it.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a stream from a 64-bit seed; every seed (including 0) gives a valid state.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// Creates the stream of one work item, derived from (run seed, stage, item key) as the
    /// design's randomness convention asks, so items never share or depend on each other's stream.
    public init(runSeed: UInt64, stage: String, item: String) {
        self.init(seed: StableHash.itemSeed(runSeed: runSeed, stage: stage, item: item))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A double uniformly distributed in [0, 1) with 53 random bits.
    public mutating func unitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A double uniformly distributed in [lower, upper).
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * unitDouble()
    }

    /// A float uniformly distributed in [lower, upper).
    public mutating func uniformFloat(_ lower: Float, _ upper: Float) -> Float {
        lower + (upper - lower) * Float(next() >> 40) * 0x1.0p-24
    }

    /// An integer uniformly distributed in [0, bound), without modulo bias (Lemire's method).
    public mutating func integer(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold {
                product = next().multipliedFullWidth(by: b)
            }
        }
        return Int(product.high)
    }

    /// A standard normal sample (Box-Muller, one value per call so streams stay simple to reason about).
    public mutating func normal() -> Double {
        var u1 = unitDouble()
        while u1 <= .leastNonzeroMagnitude { u1 = unitDouble() }
        let u2 = unitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// SplitMix64, used to expand one 64-bit seed into generator state (Steele, Lea & Flood 2014).
public struct SplitMix64: Sendable {
    /// The current state; advances by the golden-ratio increment on every call.
    public var state: UInt64

    /// Creates the mixer at a given state.
    public init(state: UInt64) { self.state = state }

    /// The next mixed 64-bit value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
