import GRDB

/// A training sample's whole provenance chain, for `cn-manifest show ID`: the sample row, then
/// every source row it came from (composition, asset and views; or object, image, extraction and
/// novel view), its captions and its files.
public enum SampleProvenance {
    /// One titled section of the report: a table of name/value rows.
    public struct Section: Sendable, Equatable {
        /// The section title, e.g. "asset".
        public let title: String
        /// The rows of the section: (field, value).
        public let fields: [(String, String)]

        public static func == (a: Section, b: Section) -> Bool {
            a.title == b.title && a.fields.map { $0.0 + "=" + $0.1 } == b.fields.map { $0.0 + "=" + $0.1 }
        }
    }

    /// The provenance of sample `id`, or nil when there is no such sample.
    public static func report(_ db: Database, sampleID: Int64) throws -> [Section]? {
        guard let sample = try Row.fetchOne(db, sql: "SELECT * FROM sample WHERE id = ?", arguments: [sampleID]) else { return nil }
        var sections = [section("sample", sample)]
        let source: String = sample["source"]
        let parts = source.split(separator: "/").map(String.init)
        if sample["kind"] as String == "objaverse", parts.count >= 3 {
            let asset = parts[1]
            let pair = parts[2].split(separator: "-").compactMap { Int($0) }
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM composition WHERE asset_id = ? AND ref_view = ? AND target_view = ?",
                                          arguments: [asset, pair.first, pair.last]) {
                sections.append(section("composition", row))
                sections += try captions(db, kind: "composition", id: row["id"])
            }
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM asset WHERE id = ?", arguments: [asset]) {
                sections.append(section("asset", row))
            }
            for (label, index) in zip(["reference view", "target view"], pair) {
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM view WHERE asset_id = ? AND idx = ?", arguments: [asset, index]) {
                    sections.append(section(label, row))
                }
            }
        } else if parts.count >= 6 {
            let (image, object, view) = (parts[1], parts[3], Int(parts[5]) ?? 0)
            for (title, sql, arguments) in [
                ("object", "SELECT * FROM object WHERE id = ?", [object] as StatementArguments),
                ("image", "SELECT * FROM image WHERE id = ?", [image]),
                ("extraction", "SELECT * FROM extraction WHERE object_id = ?", [object]),
                ("reference view (novel view)", "SELECT * FROM novel_view WHERE object_id = ? AND idx = ?", [object, view]),
            ] {
                if let row = try Row.fetchOne(db, sql: sql, arguments: arguments) { sections.append(section(title, row)) }
            }
            sections += try captions(db, kind: "image", id: image)
        }
        if let shard: String = sample["shard"], let row = try Row.fetchOne(db, sql: "SELECT * FROM shard WHERE name = ?", arguments: [shard]) {
            sections.append(section("shard", row))
        }
        return sections
    }

    private static func captions(_ db: Database, kind: String, id: String) throws -> [Section] {
        try Row.fetchAll(db, sql: "SELECT source, idx, text FROM caption WHERE subject_kind = ? AND subject_id = ? ORDER BY source, idx",
                         arguments: [kind, id]).map { section("caption", $0) }
    }

    private static func section(_ title: String, _ row: Row) -> Section {
        Section(title: title, fields: row.columnNames.map { name in (name, QueryResult.display(row[name]) ?? "NULL") })
    }

    /// Renders the sections as indented text.
    public static func text(_ sections: [Section]) -> String {
        var out = ""
        for section in sections {
            out += section.title + ":\n"
            let width = section.fields.map(\.0.count).max() ?? 0
            for (name, value) in section.fields {
                out += "  " + name + String(repeating: " ", count: width - name.count) + "  " + value + "\n"
            }
        }
        return out
    }
}
