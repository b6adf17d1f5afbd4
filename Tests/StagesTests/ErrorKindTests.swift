import CorpusStages
import ObjaverseStages
import Testing

/// The failure kinds recorded in manifests are a vocabulary: renaming one breaks saved audits.
@Suite struct StageErrorKindTests {
    @Test func captionKindsArePinned() {
        #expect(CaptionError.Reason.allCases.map(\.rawValue) == ["bad-item", "captioner-empty", "captioner-failed", "captioner-no-output", "captioner-timeout", "missing-subject"])
    }

    @Test func composeKindsArePinned() {
        #expect(ComposeError.Reason.allCases.map(\.rawValue) == ["no-backgrounds"])
    }
}
