import Support

/// An error of the Evaluation module with a stable kind (for reports and tests) and one line of text.
public struct EvaluationError: Error, CustomStringConvertible, Sendable {
    /// The stable kinds.
    public enum Kind: String, Sendable, CaseIterable {
        /// An image that cannot be read or has an impossible shape.
        case badImage = "bad-image"
        /// Two images that cannot be compared pixel by pixel.
        case sizeMismatch = "size-mismatch"
        /// An image too small for a metric's window.
        case tooSmall = "too-small"
        /// Weights that are missing or of the wrong shape.
        case badWeights = "bad-weights"
        /// A prediction without a target, or other pairing problem.
        case pairing
        /// Input files or folders that do not exist or cannot be read.
        case badInput = "bad-input"
    }

    /// The kind.
    public let kind: Kind
    /// The one-line message.
    public let message: String

    /// An error of `kind`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
