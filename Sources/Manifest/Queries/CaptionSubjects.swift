import GRDB

/// The subjects `cn-caption` captions: compositions (Objaverse branch) and photos with an
/// extracted object (Open Images branch), with what a caption is made from.
public enum CaptionSubjects {
    /// A composition's target image, background words and asset name ('object' when unnamed).
    public static func composition(_ db: Database, id: String) throws -> (target: String, descriptor: String?, assetName: String)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT c.target, c.descriptor, COALESCE(a.name, 'object') AS name
            FROM composition c JOIN asset a ON a.id = c.asset_id WHERE c.id = ?
            """, arguments: [id]) else { return nil }
        return (row["target"], row["descriptor"], row["name"])
    }

    /// The target image and class name of a photo's first extracted object (by object id).
    public static func image(_ db: Database, id: String) throws -> (target: String, subject: String)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT e.target, e.subject FROM extraction e JOIN object o ON o.id = e.object_id
            WHERE o.image_id = ? ORDER BY e.object_id LIMIT 1
            """, arguments: [id]) else { return nil }
        return (row["target"], row["subject"])
    }

    /// The ImageIDs of photos with at least one extracted object.
    public static func imagesWithExtractions(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT o.image_id FROM extraction e JOIN object o ON o.id = e.object_id")
    }
}
