import Support

/// A sampling failure (bad schedule parameters, a step count the schedule cannot hold, a model
/// output or noise tensor of the wrong shape), following the project's `DescribedError` convention.
public struct SamplingError: DescribedError, Equatable {
    /// The failure classes, with stable kebab-case names.
    public enum Reason: String, Sendable, CaseIterable {
        /// linear_start / linear_end / timesteps that give no valid schedule.
        case badSchedule = "bad-schedule"
        /// A sampling step count outside 1...timesteps, or a negative or non-finite eta.
        case badSteps = "bad-steps"
        /// A tensor whose shape differs from the sample's.
        case shapeMismatch = "shape-mismatch"
        /// A recorded noise source that ran out of tensors.
        case noiseExhausted = "noise-exhausted"
    }

    /// The failure class.
    public let reason: Reason
    /// One line: what went wrong and what was expected.
    public let message: String

    /// Creates an error of the given class.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The stable name of `reason`.
    public var kind: String { reason.rawValue }
}
