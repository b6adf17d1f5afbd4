import OpenImagesStages
import Testing

/// The failure kinds recorded in manifests are a vocabulary: renaming one breaks saved audits.
@Suite struct OpenImagesErrorKindTests {
    @Test func extractKindsArePinned() {
        #expect(ExtractError.Reason.allCases.map(\.rawValue) == ["file-too-large", "mask-aspect-mismatch", "missing-mask", "missing-photo", "no-dataset-root", "not-in-manifest", "unreadable-file"])
    }

    @Test func synthesisKindsArePinned() {
        #expect(SynthesisError.Reason.allCases.map(\.rawValue) == ["bad-pose", "empty-view", "external-bad-output", "external-error", "external-failed", "external-no-output", "external-timeout", "no-backend-view", "not-in-manifest", "pose-out-of-range"])
    }
}
