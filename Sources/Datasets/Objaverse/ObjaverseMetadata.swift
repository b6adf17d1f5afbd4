import Foundation

/// The per-object annotations of Objaverse 1.0 (`metadata/000-XXX.json.gz`, keyed by uid;
/// the objaverse package, github.com/allenai/objaverse-xl). Every field is optional and unknown fields are ignored, because the Sketchfab
/// export varies between folders; `categories` and `tags` accept both `[{name, slug}]` and
/// plain strings.
public struct ObjaverseMetadata: Sendable, Equatable, Decodable {
    /// A tag or category.
    public struct Label: Sendable, Equatable, Decodable {
        /// Display name.
        public var name: String
        /// URL slug (empty when the file gave a plain string).
        public var slug: String

        /// Creates a label.
        public init(name: String, slug: String = "") {
            self.name = name
            self.slug = slug
        }

        /// Decodes `{name, slug}` or a plain string.
        public init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self.init(name: text, slug: text)
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let name = try c.decodeIfPresent(String.self, forKey: .name)
            let slug = try c.decodeIfPresent(String.self, forKey: .slug)
            self.init(name: name ?? slug ?? "", slug: slug ?? name ?? "")
        }

        private enum CodingKeys: String, CodingKey { case name, slug }
    }

    /// The object's uid (32 hex digits), when present in the record.
    public var uid: String?
    /// The object's name.
    public var name: String?
    /// Free-form tags.
    public var tags: [Label]
    /// Sketchfab categories.
    public var categories: [Label]
    /// License label (e.g. "by", "by-nc").
    public var license: String?
    /// Face count reported by Sketchfab.
    public var faceCount: Int?
    /// Vertex count reported by Sketchfab.
    public var vertexCount: Int?
    /// Description text.
    public var description: String?

    private enum CodingKeys: String, CodingKey {
        case uid, name, tags, categories, license, faceCount, vertexCount, description
    }

    /// Creates metadata.
    public init(uid: String? = nil, name: String? = nil, tags: [Label] = [], categories: [Label] = [], license: String? = nil,
                faceCount: Int? = nil, vertexCount: Int? = nil, description: String? = nil) {
        self.uid = uid
        self.name = name
        self.tags = tags
        self.categories = categories
        self.license = license
        self.faceCount = faceCount
        self.vertexCount = vertexCount
        self.description = description
    }

    /// Decodes leniently: a field of the wrong type is treated as absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uid = try? c.decodeIfPresent(String.self, forKey: .uid)
        name = try? c.decodeIfPresent(String.self, forKey: .name)
        tags = (try? c.decodeIfPresent([Label].self, forKey: .tags)) ?? []
        categories = (try? c.decodeIfPresent([Label].self, forKey: .categories)) ?? []
        license = try? c.decodeIfPresent(String.self, forKey: .license)
        faceCount = try? c.decodeIfPresent(Int.self, forKey: .faceCount)
        vertexCount = try? c.decodeIfPresent(Int.self, forKey: .vertexCount)
        description = try? c.decodeIfPresent(String.self, forKey: .description)
    }

    /// Reads one metadata file, gzip (`.json.gz`) or plain (`.json`), decided by its magic bytes:
    /// a JSON object uid -> metadata.
    public static func load(path: String, limit: Int = 1 << 30) throws -> [String: ObjaverseMetadata] {
        let bytes = try JSONFile.bytes(path, limit: limit)
        do {
            return try JSONDecoder().decode([String: ObjaverseMetadata].self, from: Data(bytes))
        } catch {
            throw DatasetFileError.badFormat(path: path, reason: "not a JSON object of uid -> metadata (\(oneLineDecoding(error)))")
        }
    }
}

/// Reads JSON files that may be gzip-compressed (detected by the 1F 8B magic, not the name).
enum JSONFile {
    static func bytes(_ path: String, limit: Int) throws -> [UInt8] {
        let raw = try readWholeFile(path, limit: limit)
        guard raw.count >= 2, raw[0] == 0x1F, raw[1] == 0x8B else { return raw }
        return try Inflate.gunzipFile(path, limit: limit)
    }
}

/// A decoding error in one short phrase.
func oneLineDecoding(_ error: any Error) -> String {
    switch error {
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
         DecodingError.keyNotFound(_, let context), DecodingError.dataCorrupted(let context):
        let at = context.codingPath.map(\.stringValue).joined(separator: ".")
        return at.isEmpty ? context.debugDescription : "at \(at): \(context.debugDescription)"
    default:
        return String(describing: error)
    }
}
