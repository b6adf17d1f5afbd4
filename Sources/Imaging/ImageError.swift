import Support

/// The one error type of the Imaging module: a stable `kind` for the manifest plus a message that
/// names the input and says what to do (the `DescribedError` contract of Sources/Support).
public struct ImageError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings stored in manifests.
    public enum Reason: String, Sendable, CaseIterable {
        case corruptJPEG = "corrupt-jpeg"
        case corruptPNG = "corrupt-png"
        case truncatedImage = "truncated-image"
        case notAnImage = "not-an-image"
        case emptyFile = "empty-file"
        case imageTooLarge = "image-too-large"
        case fileTooLarge = "file-too-large"
        case unsupportedPNG = "unsupported-png"
        case unsupportedJPEG = "unsupported-jpeg"
        case unreadableFile = "unreadable-file"
        case encodeFailed = "image-encode-failed"
        case invalidArgument = "invalid-image-argument"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// What was being read or written: "file /path/x.jpg" or "in-memory data (1234 bytes)".
    public let source: String
    /// The full one-line human message (source, cause, advice).
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Builds an error whose message reads "`source`: `detail` (`advice`)".
    public init(_ reason: Reason, source: String, detail: String) {
        self.reason = reason
        self.source = source
        let advice: String
        switch reason {
        case .corruptJPEG, .corruptPNG: advice = "the file is damaged; re-download it or drop the item"
        case .truncatedImage: advice = "the file is incomplete; re-download it or drop the item"
        case .notAnImage: advice = "expected a PNG or JPEG; check the path and the download"
        case .emptyFile: advice = "the file has no bytes; re-download it"
        case .imageTooLarge: advice = "raise ImageLimits.maxPixels if such images are expected"
        case .fileTooLarge: advice = "raise ImageLimits.maxFileBytes if such files are expected"
        case .unsupportedPNG, .unsupportedJPEG: advice = "convert the image to 8-bit RGB(A) first"
        case .unreadableFile: advice = "check that the file exists and is readable"
        case .encodeFailed: advice = "check the image dimensions and options"
        case .invalidArgument: advice = "fix the caller"
        }
        self.message = "\(source): \(detail) (\(advice))"
    }

    /// The label used for data decoded from memory.
    static func memorySource(_ count: Int) -> String { "in-memory data (\(count) bytes)" }

    /// The label used for a file.
    static func fileSource(_ path: String) -> String { "file \(path)" }
}

/// A NUL-terminated C message buffer as a Swift string (invalid UTF-8 repaired).
func cMessage(_ buffer: [CChar]) -> String {
    let end = buffer.firstIndex(of: 0) ?? buffer.count
    return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
