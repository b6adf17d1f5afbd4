import Foundation

/// Range checks of a step's settings, run once when the stage starts (and by `cn-run` for every
/// step before it runs any): a value of 0, a negative, NaN or infinite value where the stage
/// needs a bounded one is a one-line `ConfigError` naming the step, the key and the allowed
/// range, never a trap halfway through a run (issue 13, part 3).
public struct ConfigCheck: Sendable {
    /// The step whose settings are checked, as named in the pipeline (`render`, `compose` ...).
    public let step: String

    /// Creates the checks of one step.
    public init(step: String) { self.step = step }

    /// An integer setting within `range`.
    public func integer(_ key: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else { throw failure(key, "must be in \(range.lowerBound)...\(range.upperBound) (got \(value))") }
    }

    /// A finite number within `range` (NaN and infinities are refused).
    public func number(_ key: String, _ value: Double, in range: ClosedRange<Double>) throws {
        guard value.isFinite, range.contains(value) else {
            throw failure(key, "must be a finite number in \(Self.format(range.lowerBound))...\(Self.format(range.upperBound)) (got \(Self.format(value)))")
        }
    }

    /// A finite number above 0 and at most `maximum` (a time limit, a distance, a size).
    public func positive(_ key: String, _ value: Double, atMost maximum: Double) throws {
        guard value.isFinite, value > 0, value <= maximum else {
            throw failure(key, "must be a finite number above 0 and at most \(Self.format(maximum)) (got \(Self.format(value)))")
        }
    }

    /// A rule between settings (`scale_min <= scale_max`), stated as the message's tail.
    public func require(_ condition: Bool, _ key: String, _ rule: String) throws {
        guard condition else { throw failure(key, rule) }
    }

    /// The one-line error for `key`.
    public func failure(_ key: String, _ text: String) -> ConfigError {
        ConfigError(message: "step '\(step)': \(key) \(text)")
    }

    /// A number as the user would write it (12, 0.35, nan, inf).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
