import Foundation
import Geometry
import Imaging
import Manifest
import Pipeline
import Raster
import Support
import Synchronization

/// A view that cannot be synthesised, with the kind naming why.
public struct SynthesisError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings stored in manifests
    /// (pinned by a test: renaming one is a change of the manifest's vocabulary).
    public enum Reason: String, Sendable, CaseIterable {
        case badPose = "bad-pose"
        case emptyView = "empty-view"
        case externalBadOutput = "external-bad-output"
        case externalError = "external-error"
        case externalFailed = "external-failed"
        case externalNoOutput = "external-no-output"
        case externalTimeout = "external-timeout"
        case noBackendView = "no-backend-view"
        case notInManifest = "not-in-manifest"
        case poseOutOfRange = "pose-out-of-range"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// What is wrong.
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Creates an error of a class with its message.
    public init(_ reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }
}
