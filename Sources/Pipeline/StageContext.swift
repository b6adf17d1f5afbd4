import Foundation
import Manifest
import Support

/// What a stage sees for the whole run: the workdir, the run seed, its YAML section and the manifest.
public struct StageContext: Sendable {
    /// The workdir holding `manifest.sqlite` and every output.
    public let workdir: URL
    /// The run seed (`--seed`).
    public let seed: UInt64
    /// The stage's section of the pipeline YAML, as YAML text ("" when the pipeline has none).
    public let configYAML: String
    /// The manifest (read from any thread; the runner is the only writer while the stage runs).
    public let manifest: ManifestStore

    /// Creates a context.
    public init(workdir: URL, seed: UInt64, configYAML: String, manifest: ManifestStore) {
        self.workdir = workdir
        self.seed = seed
        self.configYAML = configYAML
        self.manifest = manifest
    }

    /// Decodes the stage's YAML section into a configuration type; an empty section decodes
    /// from `{}`, so give every field a default in `init(from:)`.
    public func config<T: Decodable>(_ type: T.Type) throws -> T {
        try StageConfig.decode(type, yaml: configYAML)
    }
}
