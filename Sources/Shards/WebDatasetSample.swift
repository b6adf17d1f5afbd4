/// One WebDataset sample: a key and its fields in the order they are written. WebDataset
/// (github.com/webdataset/webdataset) splits a member name at the FIRST dot of the basename into key and field, so a
/// key holds no dot and no '/', fields are lower-case and never repeat within a sample, and the
/// members of one sample are written contiguously (`{key}.{field}`).
public struct WebDatasetSample: Sendable, Equatable {
    /// The sample key (e.g. a zero-padded sample id); ASCII, no dots, no slashes.
    public let key: String
    /// (field, bytes) in write order, e.g. ("target.png", ...), ("json", ...).
    public let fields: [(name: String, bytes: [UInt8])]

    /// Validates the key and fields; throws a `ShardError` naming the offending key or field.
    public init(key: String, fields: [(name: String, bytes: [UInt8])]) throws {
        try WebDatasetSample.validateKey(key)
        var seen = Set<String>()
        for field in fields {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }),
                  field.name == field.name.lowercased(), field.name.first != "." else {
                throw ShardError(.badShardField, "sample \(key): field name \"\(field.name)\" must be lower-case printable ASCII without '/'")
            }
            guard seen.insert(field.name).inserted else {
                throw ShardError(.badShardField, "sample \(key): field \(field.name) repeats")
            }
        }
        guard !fields.isEmpty else { throw ShardError(.badShardField, "sample \(key) has no fields") }
        self.key = key
        self.fields = fields
    }

    /// A sample read from someone else's shard: keys there may hold folders ("a/b/000001"), and
    /// fields are taken as found; only the writers enforce this project's stricter rules.
    init(readKey key: String, fields: [(name: String, bytes: [UInt8])]) {
        self.key = key
        self.fields = fields
    }

    /// Throws unless `key` is a valid WebDataset key: non-empty printable ASCII with no '.', '/' or space.
    public static func validateKey(_ key: String) throws {
        guard !key.isEmpty, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "/") }) else {
            throw ShardError(.badShardKey, "WebDataset key \"\(key)\" must be printable ASCII without dots, slashes or spaces")
        }
    }

    /// The zero-padded key of a numeric sample id (docs/CONTRACTS.md: key = zero-padded sample id), 10 digits by default.
    public static func key(forSampleID id: Int, width: Int = 10) throws -> String {
        guard id >= 0 else { throw ShardError(.badShardKey, "sample id \(id) is negative") }
        let digits = String(id)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// The tar member name of one field: `{key}.{field}`.
    public func memberName(_ field: String) -> String { key + "." + field }

    /// Bytes this sample occupies inside a tar (headers plus padded data), known before writing.
    public var archivedSize: Int {
        fields.reduce(0) { $0 + TarHeader.archivedSize(ofMemberWithDataSize: $1.bytes.count) }
    }

    /// Same key and the same fields, names and bytes, in the same order.
    public static func == (lhs: WebDatasetSample, rhs: WebDatasetSample) -> Bool {
        lhs.key == rhs.key && lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.bytes == $1.bytes }
    }
}
