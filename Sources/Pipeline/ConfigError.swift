import Support

/// A pipeline or stage configuration that cannot be used, with the reason.
public struct ConfigError: DescribedError {
    /// What is wrong and what to change.
    public let message: String
    /// Creates the error.
    public init(message: String) { self.message = message }
    public var kind: String { "bad-config" }
}
