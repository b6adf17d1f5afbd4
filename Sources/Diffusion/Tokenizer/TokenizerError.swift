import Support

/// A vocabulary the CLIP tokenizer cannot use (unreadable, not gzip, malformed JSON or merges,
/// a merge or special token missing from the vocabulary), following `DescribedError`.
public struct TokenizerError: DescribedError, Equatable {
    /// The failure classes, with stable kebab-case names.
    public enum Reason: String, Sendable, CaseIterable {
        /// The file could not be opened or read.
        case unreadableFile = "unreadable-vocabulary"
        /// The file's content is not a CLIP BPE vocabulary.
        case badVocabulary = "bad-vocabulary"
    }

    /// The failure class.
    public let reason: Reason
    /// One line naming the file and what is wrong with it.
    public let message: String

    /// Creates an error of the given class.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The stable name of `reason`.
    public var kind: String { reason.rawValue }
}
