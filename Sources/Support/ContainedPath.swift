/// The one validator for paths that come from data files (Open Images ImageID and MaskPath, zip
/// entry names, glTF and OBJ URIs, MTL texture names) and for item ids used as folder names: a
/// path is accepted only when it is relative and stays below whatever root it is joined to
/// (no leading `/`, no `..` component, no backslash, NUL or control character). The check is
/// lexical (POSIX path resolution, IEEE Std 1003.1 section 4.13), so it needs no file system and
/// gives the same verdict on every machine.
public enum ContainedPath {
    /// Longest accepted path in bytes (PATH_MAX on Linux).
    public static let maximumBytes = 4096

    /// Returns `path` when it is a relative path that cannot leave its root; `singleComponent`
    /// also refuses any `/` (for ids that name one file or folder). Throws a one-line reason.
    public static func check(_ path: String, what: String, singleComponent: Bool = false) throws(PathEscape) -> String {
        var text = path
        let reason = text.withUTF8 { problem(in: $0, singleComponent: singleComponent) }
        if let reason { throw PathEscape(reason, what: what, path: path) }
        return path
    }

    /// Why the UTF-8 path `bytes` could leave its root, nil when it cannot (no allocation, for
    /// readers that check millions of CSV fields).
    public static func problem(in bytes: UnsafeBufferPointer<UInt8>, singleComponent: Bool = false) -> PathEscape.Reason? {
        guard !bytes.isEmpty else { return .empty }
        guard bytes.count <= maximumBytes else { return .tooLong }
        guard bytes[0] != UInt8(ascii: "/") else { return .absolute }
        var componentStart = 0
        for i in 0...bytes.count {
            let byte = i < bytes.count ? bytes[i] : UInt8(ascii: "/")
            if byte == UInt8(ascii: "\\") { return .backslash }
            if byte < 0x20 || byte == 0x7F { return .controlCharacter }
            guard byte == UInt8(ascii: "/") else { continue }
            if singleComponent && i < bytes.count { return .notOneComponent }
            let length = i - componentStart
            if length == 2 && bytes[componentStart] == UInt8(ascii: ".") && bytes[componentStart + 1] == UInt8(ascii: ".") {
                return .parentComponent
            }
            if singleComponent && length == 1 && bytes[componentStart] == UInt8(ascii: ".") { return .parentComponent }
            componentStart = i + 1
        }
        return nil
    }

    /// True when `check` accepts `path`.
    public static func isContained(_ path: String, singleComponent: Bool = false) -> Bool {
        (try? check(path, what: "path", singleComponent: singleComponent)) != nil
    }
}

/// A path from a data file that would leave its root (see `ContainedPath`); kind `path-escapes-root`.
public struct PathEscape: DescribedError, Equatable {
    /// What is wrong with the path.
    public enum Reason: String, Sendable, CaseIterable {
        case empty = "is empty"
        case tooLong = "is longer than 4096 bytes"
        case absolute = "is absolute"
        case parentComponent = "has a '..' (or '.') component"
        case backslash = "has a backslash"
        case controlCharacter = "has a control character"
        case notOneComponent = "has a '/' where one file name is expected"
    }

    /// What is wrong.
    public let reason: Reason
    /// Which field the path came from ("MaskPath", "zip entry", "buffer 0 URI" ...).
    public let what: String
    /// The offending path, shortened for the report.
    public let path: String

    /// Creates the error.
    public init(_ reason: Reason, what: String, path: String) {
        self.reason = reason
        self.what = what
        self.path = oneLine(path, limit: 120)
    }

    public var kind: String { "path-escapes-root" }
    public var message: String { "\(what) \"\(path)\" \(reason.rawValue); paths from data files must stay inside their root" }
}
