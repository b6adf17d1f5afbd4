import Support

/// A failure of the view-synthesis core outside one part: a config, a checkpoint that lacks a
/// part, an input of the wrong shape. Stable `kind` strings (the Reason's raw value).
public struct ModelError: DescribedError, Equatable {
    /// What went wrong.
    public enum Reason: String, Sendable, CaseIterable {
        /// The ldm YAML cannot be read or parsed.
        case unreadableConfig = "unreadable-config"
        /// The checkpoint has no weights for a part the command needs.
        case missingPart = "missing-part"
        /// A checkpoint cannot be opened.
        case unreadableCheckpoint = "unreadable-checkpoint"
        /// An input has the wrong shape or values.
        case badInput = "bad-input"
        /// A feature needs weights or files the user did not give.
        case missingWeights = "missing-weights"
    }

    /// The failure class.
    public let reason: Reason
    /// One line saying what went wrong and what to do.
    public let message: String
    /// The stable kind string.
    public var kind: String { reason.rawValue }

    /// An error of `reason` with a one-line message.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
