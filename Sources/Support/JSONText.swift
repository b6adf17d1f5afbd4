import Foundation

/// Small deterministic JSON helpers for manifest columns and meta files (sorted keys, fixed
/// formatting), so the same inputs always give the same bytes.
public enum JSONText {
    /// Pretty, key-sorted JSON of a property-list-like value, ending with a newline.
    public static func document(_ value: Any) throws -> [UInt8] {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return Array(data) + [0x0A]
    }
}
