import Shards
import Testing

/// The failure kinds recorded in manifests are a vocabulary: renaming one breaks saved audits.
@Suite struct ShardErrorKindTests {
    @Test func kindsArePinned() {
        #expect(ShardError.Reason.allCases.map(\.rawValue) == ["bad-concat-input", "bad-export-image", "bad-export-name", "bad-export-views", "bad-json-number", "bad-pose", "bad-shard-field", "bad-shard-index", "bad-shard-key", "bad-split-name", "bad-split-ratios", "duplicate-shard-key", "empty-shard", "export-incomplete", "missing-file", "missing-view", "no-samples", "shard-plan-mismatch", "tar-bad-checksum", "tar-bad-header", "tar-bad-name", "tar-bad-owner", "tar-closed", "tar-field-overflow", "tar-member-too-large", "tar-name-too-long", "tar-truncated", "tar-unreadable", "write-failed"])
        #expect(ShardError(.tarTruncated, "x").kind == "tar-truncated")
    }
}
