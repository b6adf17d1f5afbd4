// The percentile bootstrap (Efron & Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 13)
// for the mean, with numpy `percentile`'s default linear interpolation between order statistics.
import Support

/// A mean with its bootstrap 95% interval over the values it was computed from.
public struct MeanInterval: Sendable, Equatable {
    /// The sample mean.
    public var mean: Double
    /// The 2.5th and 97.5th percentiles of the resampled means.
    public var lower: Double, upper: Double
    /// How many values.
    public var count: Int

    /// A mean and interval.
    public init(mean: Double, lower: Double, upper: Double, count: Int) {
        self.mean = mean
        self.lower = lower
        self.upper = upper
        self.count = count
    }
}

/// Seeded percentile bootstrap of the mean: `resamples` draws of n values with replacement from a
/// `SeededRandom` stream, the mean of each, and the (1 - level) / 2 and (1 + level) / 2 percentiles of
/// those means. Same values and seed, same interval.
public struct Bootstrap: Sendable, Equatable {
    /// Draws, seed and confidence level.
    public var resamples: Int, seed: UInt64, level: Double

    /// 1000 resamples, seed 0, 95%.
    public init(resamples: Int = 1000, seed: UInt64 = 0, level: Double = 0.95) {
        self.resamples = resamples
        self.seed = seed
        self.level = level
    }

    /// The mean and interval of `values` (nil when empty; a single value is its own interval).
    public func interval(_ values: [Double]) -> MeanInterval? {
        guard !values.isEmpty else { return nil }
        let n = values.count
        let mean = values.reduce(0, +) / Double(n)
        guard n > 1 else { return MeanInterval(mean: mean, lower: mean, upper: mean, count: 1) }
        var random = SeededRandom(seed: seed)
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += values[Int(random.next() % UInt64(n))] }
            means[r] = sum / Double(n)
        }
        means.sort()
        return MeanInterval(mean: mean, lower: Self.percentile(means, (1 - level) / 2 * 100),
                            upper: Self.percentile(means, (1 + level) / 2 * 100), count: n)
    }

    /// numpy `percentile(sorted, q)` with linear interpolation: index q / 100 (n - 1).
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q / 100 * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        let fraction = position - Double(low)
        return sorted[low] + (sorted[high] - sorted[low]) * fraction
    }
}
