/// An error the pipeline records against one item or reports as one line: a short machine-readable
/// `kind` (e.g. "corrupt-jpeg", "image-too-large") and a human `message` that says what to do.
public protocol DescribedError: Error, CustomStringConvertible, Sendable {
    /// A short, stable, kebab-case name of the failure class, stored in the manifest's `work.error_kind`.
    var kind: String { get }
    /// One line for people: what went wrong and, where possible, what to do about it.
    var message: String { get }
}

extension DescribedError {
    /// The one-line description: the message itself.
    public var description: String { message }
}

/// Turns any error into a single line fit for a manifest row or a terminal: no newlines, at most 500 characters.
public func oneLine(_ error: any Error) -> String {
    let text: String
    if let described = error as? any DescribedError {
        text = described.message
    } else {
        text = String(describing: error)
    }
    return oneLine(text)
}

/// Flattens text to a single line of at most `limit` characters.
public func oneLine(_ text: String, limit: Int = 500) -> String {
    let flat = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    return flat.count > limit ? String(flat.prefix(limit - 3)) + "..." : flat
}

/// The failure class of any error: its `kind` when it is a `DescribedError`, else its type name.
public func errorKind(_ error: any Error) -> String {
    if let described = error as? any DescribedError { return described.kind }
    return String(describing: type(of: error))
}
