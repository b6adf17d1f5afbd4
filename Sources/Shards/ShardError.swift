import Support

/// A failure of the Shards library (tar writing, WebDataset layout, exports, concat construction),
/// reported through the project's `DescribedError` protocol so a stage can record it as one line.
public struct ShardError: DescribedError, Equatable {
    /// Short machine-readable failure class, e.g. "bad-shard-key", "tar-name-too-long".
    public let kind: String
    /// One line for people: what went wrong and what to do about it.
    public let message: String

    /// Creates an error of the given class with a human message.
    public init(kind: String, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
