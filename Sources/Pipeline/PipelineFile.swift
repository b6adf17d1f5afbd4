import Foundation
import Support
import Yams

/// A pipeline definition (Pipelines/*.yaml): a name, a default seed and the ordered steps that
/// `cn-run` executes, each naming its stage, the command to run and the stage's configuration.
/// Decoded once (`Decodable`, PipelineFile+Decodable.swift); each step keeps its `config:` as
/// YAML for the stage's own typed `StageConfiguration`.
///
/// ```yaml
/// name: demo
/// seed: 7
/// steps:
///   - stage: render
///     run: [cn-render]
///     config: {views: 12, resolution: 256}
/// ```
public struct PipelineFile: Sendable {
    /// One step: a stage name, its command line (executable first) and its YAML configuration.
    public struct Step: Sendable, Equatable {
        /// The stage name (its `work.stage` value and output folder).
        public let stage: String
        /// The command: an executable name beside cn-run (or on PATH) and its arguments.
        public let command: [String]
        /// The step's `config:` mapping as YAML text ("" when absent).
        public let configYAML: String
        /// Whether cn-run appends the shared stage flags (--workdir, --config, --seed, --jobs);
        /// false for helper commands such as cn-fixture (`common: false`).
        public let takesCommonFlags: Bool
    }

    /// The pipeline's name.
    public let name: String
    /// The default seed of its stages (`--seed` overrides it).
    public let seed: UInt64?
    /// The steps in order.
    public let steps: [Step]
    /// sha256 of the file's bytes, recorded with every run.
    public let hash: String

    /// Reads and validates a pipeline file.
    public static func load(path: String) throws -> PipelineFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(message: "cannot read pipeline file \(path): no such file")
        }
        return try parse(String(decoding: data, as: UTF8.self), hash: SHA256.hex(data), origin: path)
    }

    /// The keys of a pipeline file's top level.
    public static let acceptedKeys = ["name", "seed", "steps"]
    /// The keys of a step.
    public static let acceptedStepKeys = ["stage", "run", "config", "common"]

    /// Parses pipeline YAML text through the `Decodable` conformance: anchors and aliases,
    /// unknown keys (with the likely intended one), values of the wrong type and malformed
    /// steps are one-line `ConfigError`s starting with `origin`.
    public static func parse(_ text: String, hash: String, origin: String = "pipeline") throws -> PipelineFile {
        guard let root = try SafeYAML.compose(text, origin: origin) else { throw ConfigError(message: "\(origin) is empty") }
        guard root.mapping != nil else { throw ConfigError(message: "\(origin): the top level must be a mapping with name, seed and steps") }
        let decoded: PipelineFile
        do {
            decoded = try YAMLDecoder().decode(PipelineFile.self, from: root)
        } catch let error as ConfigError {
            throw ConfigError(message: "\(origin): " + error.message)
        } catch let error as DecodingError {
            throw ConfigError(message: "\(origin): " + StageConfig.describe(error))
        } catch {
            throw ConfigError(message: "\(origin): \(oneLine(String(describing: error)))")
        }
        let name = decoded.name.isEmpty ? (origin as NSString).lastPathComponent : decoded.name
        return PipelineFile(name: name, seed: decoded.seed, steps: decoded.steps, hash: hash)
    }

    /// Throws for the first of `keys` not in `accepted`, naming the likely intended one.
    static func refuseUnknownKeys(_ keys: [String], accepted: [String], where prefix: String) throws {
        for key in keys where !accepted.contains(key) {
            throw ConfigError(message: "\(prefix) '\(key)'\(KeySuggestion.phrase(for: key, in: accepted)) (accepted keys: \(accepted.joined(separator: ", ")))")
        }
    }

    /// The configuration YAML of a stage ("" when the pipeline has no step for it).
    public func configYAML(forStage stage: String) -> String {
        steps.first { $0.stage == stage }?.configYAML ?? ""
    }
}
