import Foundation
import Yams

/// Decoding of a pipeline file (`YAMLDecoder().decode(PipelineFile.self, from:)`), the typed
/// configuration of architecture item 3: unknown keys at the top level or in a step are errors
/// naming the key meant; the name defaults to "" (`parse` puts the file name there) and the hash
/// to "" (`parse` and `load` set the file's sha256).
extension PipelineFile: Decodable {
    private enum CodingKeys: String, CodingKey { case name, seed, steps }

    /// Decodes `name`, `seed` and `steps`, refusing any other top-level key.
    public init(from decoder: any Decoder) throws {
        try Self.refuseUnknownKeys(try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue),
                                   accepted: Self.acceptedKeys, where: "unknown top-level key")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "",
                  seed: try c.decodeIfPresent(UInt64.self, forKey: .seed),
                  steps: try c.decodeIfPresent([Step].self, forKey: .steps) ?? [],
                  hash: "")
    }
}

extension PipelineFile.Step: Decodable {
    private enum CodingKeys: String, CodingKey { case stage, run, config, common }

    /// Decodes `stage` (required), `run` (a list, or one string split at spaces), `config` (a
    /// mapping, kept as YAML text) and `common` (default true), refusing any other key.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let position = (decoder.codingPath.last?.intValue).map { $0 + 1 } ?? 0
        guard let stage = try? c.decode(String.self, forKey: .stage) else {
            throw ConfigError(message: "step \(position) needs a `stage:` name")
        }
        try PipelineFile.refuseUnknownKeys(try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue),
                                           accepted: PipelineFile.acceptedStepKeys, where: "step '\(stage)': unknown key")
        var command: [String] = []
        if let list = try? c.decode([String].self, forKey: .run) {
            command = list
        } else if let text = try? c.decode(String.self, forKey: .run) {
            command = text.split(separator: " ").map(String.init)
        }
        var configYAML = ""
        if c.contains(.config) {
            guard case .mapping(let pairs) = try c.decode(ConfigTree.self, forKey: .config) else {
                throw ConfigError(message: "`config` of step '\(stage)' must be a mapping")
            }
            configYAML = pairs.isEmpty ? "" : try Yams.serialize(node: ConfigTree.mapping(pairs).node)
        }
        self.init(stage: stage, command: command, configYAML: configYAML,
                  takesCommonFlags: try c.decodeIfPresent(Bool.self, forKey: .common) ?? true)
    }
}
