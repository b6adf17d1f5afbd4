import Support

/// Why an object was not kept: a stable `kind` for the manifest (`work.error_kind`, audit
/// queries) and a readable one-line `message` with the numbers involved.
public struct ObjectRejection: DescribedError, Equatable {
    /// The stable reasons.
    public enum Kind: String, Sendable, CaseIterable {
        case boxAreaTooSmall = "box-area-too-small"
        case boxAreaTooLarge = "box-area-too-large"
        case objectTooSmall = "object-too-small"
        case boxSideTooSmall = "box-side-too-small"
        case lowPredictedIoU = "low-predicted-iou"
        case groupOf = "group-of"
        case depiction = "depiction"
        case inside = "inside"
        case truncated = "truncated"
        case occluded = "occluded"
        case noBoxMatch = "no-box-match"
        case emptyMask = "empty-mask"
        case fragmentedMask = "fragmented-mask"
        case maskTouchesBorder = "mask-touches-border"
    }

    /// The reason class.
    public let reason: Kind
    /// The details, one line.
    public let message: String

    /// Creates a rejection.
    public init(_ reason: Kind, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var kind: String { reason.rawValue }
}
