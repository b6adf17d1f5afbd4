import Foundation

/// Small deterministic JSON helpers for manifest columns and meta files (sorted keys, fixed
/// formatting), so the same inputs always give the same bytes.
enum JSONText {
    /// A JSON array of strings.
    static func array(_ values: [String]) -> String {
        "[" + values.map(string).joined(separator: ",") + "]"
    }

    /// A JSON string literal.
    static func string(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
        let wrapped = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(wrapped.dropFirst().dropLast())
    }

    /// Pretty, key-sorted JSON of a property-list-like value, ending with a newline.
    static func document(_ value: Any) throws -> [UInt8] {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return Array(data) + [0x0A]
    }
}
