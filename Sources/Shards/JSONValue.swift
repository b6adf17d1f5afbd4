/// A JSON value serialised deterministically: object keys sorted by their UTF-8 bytes, no
/// whitespace, integers as integers, floating-point numbers in Swift's shortest round-trip form
/// (the same digits on every platform, always valid JSON: "0.5", "-0.0", "1e-07", "5e+20";
/// `Float` values printed as Float so 0.1f stays "0.1"),
/// strings with only the escapes JSON requires. Used for every `json` shard field and export
/// `meta.json`, so identical metadata always gives identical bytes (docs/CONTRACTS.md: byte-reproducible shards).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case float(Float)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The canonical UTF-8 bytes; throws for NaN or infinite numbers, which JSON cannot carry.
    public func encoded() throws -> [UInt8] {
        var out: [UInt8] = []
        try write(into: &out)
        return out
    }

    /// The canonical text.
    public func encodedString() throws -> String { String(decoding: try encoded(), as: UTF8.self) }

    private func write(into out: inout [UInt8]) throws {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .int(let value): out += Array(String(value).utf8)
        case .double(let value):
            guard value.isFinite else { throw ShardError(.badJSONNumber, "JSON cannot hold the number \(value)") }
            out += Array(value.description.utf8)
        case .float(let value):
            guard value.isFinite else { throw ShardError(.badJSONNumber, "JSON cannot hold the number \(value)") }
            out += Array(value.description.utf8)
        case .string(let text): JSONValue.writeString(text, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (i, value) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                try members[key]!.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// An array of doubles.
    public static func doubles(_ values: [Double]) -> JSONValue { .array(values.map { .double($0) }) }
    /// An array of integers.
    public static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int($0) }) }
    /// A row-major matrix (array of rows) of floats, e.g. a 3x4 world-to-camera [R|t].
    public static func matrix(_ values: [Float], columns: Int) -> JSONValue {
        .array(stride(from: 0, to: values.count, by: columns).map { start in
            .array(values[start..<min(start + columns, values.count)].map { .float($0) })
        })
    }
}
