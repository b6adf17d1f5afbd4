import Foundation
import Support
import Yams

/// A step's settings (the step's `config:` mapping of a pipeline YAML), decoded once into a typed
/// value: every field has a default, every closed set is a `ConfigChoice`, and a key the type does
/// not know stops the stage (a typo such as `veiws: 12` never runs with defaults). The effective
/// value is stored with the run (`run.config`). Every numeric setting is range-checked by
/// `validate` when the stage starts, so a 0, negative, NaN or infinite value stops the stage with
/// one line instead of trapping mid-run.
public protocol StageConfiguration: Codable, Sendable {
    /// The keys the step accepts, as written in the YAML.
    static var acceptedKeys: [String] { get }

    /// Checks every setting's range (and the rules between settings) with `check`, throwing the
    /// `ConfigError` of the first value out of range.
    func validate(_ check: ConfigCheck) throws
}

/// Decoding of a step's `config:` YAML into its configuration type.
public enum StageConfig {
    /// Decodes the `config:` of `step` in `pipeline` (no pipeline or no step: every default).
    public static func decode<T: StageConfiguration>(_ type: T.Type, step: String, pipeline: PipelineFile?) throws -> T {
        try decode(type, step: step, yaml: pipeline?.configYAML(forStage: step) ?? "")
    }

    /// Decodes `yaml` (empty: every default) as the configuration of `step` and checks its
    /// ranges: unknown keys (with the likely intended one), anchors and aliases, values of the
    /// wrong type, values outside a closed set and values out of range are one-line
    /// `ConfigError`s naming the step, the key and what is accepted.
    public static func decode<T: StageConfiguration>(_ type: T.Type, step: String, yaml: String) throws -> T {
        let label = "step '\(step)'"
        let node = try SafeYAML.compose(yaml, origin: label) ?? Node.mapping([:])
        if let mapping = node.mapping {
            for key in mapping.keys.compactMap(\.string) where !T.acceptedKeys.contains(key) {
                throw ConfigError(message: "\(label): unknown key '\(key)'\(KeySuggestion.phrase(for: key, in: T.acceptedKeys)) (accepted keys: \(T.acceptedKeys.joined(separator: ", ")))")
            }
        }
        let value = try decodeValue(type, label: label, node: node)
        try value.validate(ConfigCheck(step: step))
        return value
    }

    /// Decodes any `Decodable` from a YAML mapping (empty: `{}`), with readable errors; anchors and aliases are refused.
    public static func decode<T: Decodable>(_ type: T.Type, yaml: String) throws -> T {
        let label = "\(T.self)"
        return try decodeValue(type, label: label, node: try SafeYAML.compose(yaml, origin: label) ?? Node.mapping([:]))
    }

    /// The configuration as canonical JSON (sorted keys), as stored with a run.
    public static func json(_ value: some Encodable) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The effective settings of a run, keyed by step name, as one key-sorted JSON object (nil when there are none).
    public static func json(steps: [String: any Encodable]) -> String? {
        guard !steps.isEmpty else { return nil }
        let fields = steps.sorted { $0.key < $1.key }.map { key, value in
            "\(JSONString.quoted(key)):" + (json(value) ?? "null")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private static func decodeValue<T: Decodable>(_ type: T.Type, label: String, node: Node) throws -> T {
        do {
            return try YAMLDecoder().decode(T.self, from: node)
        } catch let error as DecodingError {
            throw ConfigError(message: "\(label): " + describe(error))
        } catch let error as ConfigError {
            throw ConfigError(message: "\(label): " + error.message)
        } catch {
            throw ConfigError(message: "\(label): invalid configuration: \(oneLine(String(describing: error)))")
        }
    }

    /// One line for a decoding error: the key path, then what is wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).filter { !$0.isEmpty }
            return keys.isEmpty ? "" : keys.joined(separator: ".") + ": "
        }
        switch error {
        case .typeMismatch(let type, let context):
            return path(context) + "expected \(typeName(type)) (\(oneLine(context.debugDescription)))"
        case .valueNotFound(let type, let context):
            return path(context) + "missing \(typeName(type)) value"
        case .keyNotFound(let key, let context):
            return path(context) + "missing key '\(key.stringValue)'"
        case .dataCorrupted(let context):
            return path(context) + oneLine(context.debugDescription)
        @unknown default:
            return oneLine(String(describing: error))
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "\(type)"
        }
    }
}
