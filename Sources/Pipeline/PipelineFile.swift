import Foundation
import Support
import Yams

/// A pipeline definition (Pipelines/*.yaml): a name, a default seed and the ordered steps that
/// `cn-run` executes, each naming its stage, the command to run and the stage's configuration.
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

    /// Parses pipeline YAML text: anchors and aliases, unknown keys (with the likely intended
    /// one) and malformed steps are one-line `ConfigError`s.
    public static func parse(_ text: String, hash: String, origin: String = "pipeline") throws -> PipelineFile {
        guard let root = try SafeYAML.compose(text, origin: origin) else { throw ConfigError(message: "\(origin) is empty") }
        guard let mapping = root.mapping else { throw ConfigError(message: "\(origin): the top level must be a mapping with name, seed and steps") }
        try refuseUnknownKeys(mapping, accepted: acceptedKeys, where: "\(origin): unknown top-level key")
        let name = mapping["name"]?.string ?? (origin as NSString).lastPathComponent
        var seed: UInt64?
        if let seedNode = mapping["seed"] {
            guard let value = seedNode.string.flatMap(UInt64.init) else {
                throw ConfigError(message: "\(origin): seed must be a non-negative integer")
            }
            seed = value
        }
        var steps: [Step] = []
        for (index, node) in (mapping["steps"]?.sequence ?? []).enumerated() {
            steps.append(try step(node, index: index, origin: origin))
        }
        return PipelineFile(name: name, seed: seed, steps: steps, hash: hash)
    }

    /// One step of the `steps:` list.
    private static func step(_ node: Node, index: Int, origin: String) throws -> Step {
        guard let step = node.mapping, let stage = step["stage"]?.string else {
            throw ConfigError(message: "\(origin): step \(index + 1) needs a `stage:` name")
        }
        try refuseUnknownKeys(step, accepted: acceptedStepKeys, where: "\(origin): step '\(stage)': unknown key")
        var command: [String]
        if let list = step["run"]?.sequence {
            command = list.compactMap(\.string)
        } else if let text = step["run"]?.string {
            command = text.split(separator: " ").map(String.init)
        } else {
            command = []
        }
        var config = ""
        if let configNode = step["config"] {
            guard configNode.mapping != nil else {
                throw ConfigError(message: "\(origin): `config` of step '\(stage)' must be a mapping")
            }
            config = try Yams.serialize(node: configNode)
        }
        let common = step["common"]?.bool ?? true
        return Step(stage: stage, command: command, configYAML: config, takesCommonFlags: common)
    }

    /// Throws for the first key of `mapping` not in `accepted`, naming the likely intended one.
    private static func refuseUnknownKeys(_ mapping: Node.Mapping, accepted: [String], where prefix: String) throws {
        for key in mapping.keys.compactMap(\.string) where !accepted.contains(key) {
            throw ConfigError(message: "\(prefix) '\(key)'\(KeySuggestion.phrase(for: key, in: accepted)) (accepted keys: \(accepted.joined(separator: ", ")))")
        }
    }

    /// The configuration YAML of a stage ("" when the pipeline has no step for it).
    public func configYAML(forStage stage: String) -> String {
        steps.first { $0.stage == stage }?.configYAML ?? ""
    }
}
