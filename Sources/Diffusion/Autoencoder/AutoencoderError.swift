// Errors of the VAE (ldm `ldm/models/autoencoder.py` AutoencoderKL): configurations it cannot
// build, inputs of the wrong shape, checkpoint names it cannot translate.
import Support

/// A failure of the VAE with a stable kind and one readable line saying what was expected.
public struct AutoencoderError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings.
    public enum Reason: String, Sendable, CaseIterable {
        /// The configuration describes no buildable network (channels, groups, levels).
        case badConfiguration = "bad-vae-config"
        /// An input tensor has the wrong rank, channel count or size.
        case badInput = "bad-vae-input"
        /// A checkpoint name that no naming table knows.
        case unknownKey = "unknown-vae-key"
    }

    /// The failure class.
    public let reason: Reason
    /// One human line: what went wrong and what was expected.
    public let message: String

    /// An error of the given class.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The stable kind string (the reason's raw value).
    public var kind: String { reason.rawValue }
}
