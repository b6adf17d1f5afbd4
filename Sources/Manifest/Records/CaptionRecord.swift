import GRDB

/// A row of `caption`: one caption of a subject (an image, a composition ...) from one source.
public struct CaptionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord, ItemRecord {
    public static let databaseTableName = "caption"

    /// 'image', 'composition', 'object', 'asset'.
    public var subjectKind: String
    /// The subject's id.
    public var subjectID: String
    /// 'narrative', 'template', 'external'.
    public var source: String
    /// Index among the subject's captions from this source.
    public var index: Int
    /// The caption.
    public var text: String

    /// Creates a row.
    public init(subjectKind: String, subjectID: String, source: String, index: Int, text: String) {
        self.subjectKind = subjectKind
        self.subjectID = subjectID
        self.source = source
        self.index = index
        self.text = text
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case subjectKind = "subject_kind", subjectID = "subject_id", source, index = "idx", text
    }

    /// How many captions of `source` a subject has.
    public static func count(_ db: Database, subjectKind: String, subjectID: String, source: String) throws -> Int {
        try filter(CodingKeys.subjectKind == subjectKind && CodingKeys.subjectID == subjectID && CodingKeys.source == source)
            .fetchCount(db)
    }
}
