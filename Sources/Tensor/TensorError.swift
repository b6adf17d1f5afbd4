import Support

/// A failure of this module (bad shapes handed to a layer, unreadable checkpoint, missing or
/// extra keys), with a readable message saying what was expected.
public struct TensorError: DescribedError {
    /// Short machine-readable failure class, e.g. "shape-mismatch", "bad-safetensors", "missing-key".
    public let kind: String
    /// One human line: what went wrong and what was expected.
    public let message: String

    /// Creates an error of the given class.
    public init(kind: String, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
