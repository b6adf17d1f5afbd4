import GRDB

/// What captioning needs to know about a subject: its target image, its object's name, the
/// background's words, and whether a human caption (Localized Narrative) already exists.
struct CaptionSubject {
    let image: String
    let objectName: String
    let sceneDescription: String?
    let hasNarrative: Bool

    static func load(_ db: Database, kind: String, id: String) throws -> CaptionSubject {
        switch kind {
        case "composition":
            guard let row = try Row.fetchOne(db, sql: """
                SELECT c.target, c.descriptor, COALESCE(a.name, 'object') AS name
                FROM composition c JOIN asset a ON a.id = c.asset_id WHERE c.id = ?
                """, arguments: [id]) else { throw CaptionError(kind: "missing-subject", message: "composition \(id) is not in the manifest") }
            return CaptionSubject(image: row["target"], objectName: row["name"], sceneDescription: row["descriptor"], hasNarrative: false)
        case "image":
            let narratives = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM caption WHERE subject_kind = 'image' AND subject_id = ? AND source = 'narrative'
                """, arguments: [id]) ?? 0
            guard let row = try Row.fetchOne(db, sql: """
                SELECT e.target, e.subject FROM extraction e JOIN object o ON o.id = e.object_id
                WHERE o.image_id = ? ORDER BY e.object_id LIMIT 1
                """, arguments: [id]) else { throw CaptionError(kind: "missing-subject", message: "image \(id) has no extracted object") }
            return CaptionSubject(image: row["target"], objectName: row["subject"], sceneDescription: nil, hasNarrative: narratives > 0)
        default:
            throw CaptionError(kind: "bad-item", message: "unknown caption subject kind \(kind)")
        }
    }
}
