import Datasets
import Foundation
import Imaging
import Manifest
import Pipeline
import Support
import Synchronization

/// An extraction failure with the kind that names the defect.
public struct ExtractError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings stored in manifests
    /// (pinned by a test: renaming one is a change of the manifest's vocabulary).
    public enum Reason: String, Sendable, CaseIterable {
        case fileTooLarge = "file-too-large"
        case maskAspectMismatch = "mask-aspect-mismatch"
        case missingMask = "missing-mask"
        case missingPhoto = "missing-photo"
        case noDatasetRoot = "no-dataset-root"
        case notInManifest = "not-in-manifest"
        case unreadableFile = "unreadable-file"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// What is wrong, naming the file.
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Creates an error of a class with its message.
    public init(_ reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }
}
