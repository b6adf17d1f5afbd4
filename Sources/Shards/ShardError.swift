import Support

/// A failure of the Shards library (tar writing, WebDataset layout, exports, concat construction),
/// reported through the project's `DescribedError` protocol so a stage can record it as one line.
public struct ShardError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings stored in manifests
    /// (pinned by a test: renaming one is a change of the manifest's vocabulary).
    public enum Reason: String, Sendable, CaseIterable {
        case badConcatInput = "bad-concat-input"
        case badExportImage = "bad-export-image"
        case badExportName = "bad-export-name"
        case badExportViews = "bad-export-views"
        case badJSONNumber = "bad-json-number"
        case badPose = "bad-pose"
        case badShardField = "bad-shard-field"
        case badShardIndex = "bad-shard-index"
        case badShardKey = "bad-shard-key"
        case badSplitName = "bad-split-name"
        case badSplitRatios = "bad-split-ratios"
        case duplicateShardKey = "duplicate-shard-key"
        case emptyShard = "empty-shard"
        case exportIncomplete = "export-incomplete"
        case missingFile = "missing-file"
        case missingView = "missing-view"
        case noSamples = "no-samples"
        case shardPlanMismatch = "shard-plan-mismatch"
        case tarBadChecksum = "tar-bad-checksum"
        case tarBadHeader = "tar-bad-header"
        case tarBadName = "tar-bad-name"
        case tarBadOwner = "tar-bad-owner"
        case tarClosed = "tar-closed"
        case tarFieldOverflow = "tar-field-overflow"
        case tarMemberTooLarge = "tar-member-too-large"
        case tarNameTooLong = "tar-name-too-long"
        case tarTruncated = "tar-truncated"
        case tarUnreadable = "tar-unreadable"
        case writeFailed = "write-failed"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// One line for people: what went wrong and what to do about it.
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Creates an error of a class with its message.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
