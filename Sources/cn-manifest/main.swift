import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

/// `cn-manifest`: audit and maintain a workdir's manifest.
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-manifest",
        abstract: "Inspect, query and merge the SQLite manifest of a workdir.",
        discussion: """
            The manifest (WORKDIR/manifest.sqlite) is the single source of truth: every item of every \
            stage with its status and failure reason, every file, sample and shard. These commands only \
            read it, except `merge`, which writes a new or existing destination workdir.
            """,
        subcommands: [Stats.self, Query.self, Failures.self, Show.self, Sheet.self, Export.self, Merge.self])
}

/// Options shared by the reading subcommands.
struct WorkdirOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The workdir holding manifest.sqlite.", valueName: "dir"))
    var workdir: String

    var manifestPath: String { URL(fileURLWithPath: workdir).appendingPathComponent(ManifestStore.fileName).path }

    func open() throws -> ManifestStore { try ManifestStore.openExisting(workdir: URL(fileURLWithPath: workdir)) }
}

/// Output format of tabular results (every subcommand that prints rows).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// An aligned text table.
    case table
    /// A JSON array of objects.
    case json
    /// JSON Lines: one object per row.
    case jsonl
    /// RFC 4180 CSV with a header row.
    case csv

    func render(_ result: QueryResult) -> String {
        switch self {
        case .table: QueryFormatter.table(result)
        case .json: QueryFormatter.json(result)
        case .jsonl: QueryFormatter.jsonLines(result)
        case .csv: QueryFormatter.csv(result)
        }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Items per stage and status, and the row count of every table.")
    @OptionGroup var location: WorkdirOption

    func run() throws {
        let (work, tables) = try location.open().read { db in try ManifestStats.overview(db) }
        print("work items by stage:")
        print(QueryFormatter.table(work))
        print("tables:")
        print(QueryFormatter.table(tables), terminator: "")
    }
}

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a read-only SQL query (or a saved one) and print the rows.",
        discussion: "Statements that would write are refused. Saved queries live in Manifests/queries/; list them with --list-saved.")
    @OptionGroup var location: WorkdirOption

    @Argument(help: "The SQL to run (SELECT, WITH, read-only PRAGMA).")
    var sql: String?

    @Option(help: "Run the saved query NAME instead of SQL.")
    var saved: String?

    @Flag(help: "List the saved queries.")
    var listSaved = false

    @Option(help: "Output format.")
    var format: OutputFormat = .table

    @Flag(help: "Print a JSON array of objects (same as --format json).")
    var json = false

    @Flag(help: "Print RFC 4180 CSV (same as --format csv).")
    var csv = false

    func validate() throws {
        if listSaved { return }
        guard (sql == nil) != (saved == nil) else { throw ValidationError("give either SQL or --saved NAME") }
        guard !(json && csv) else { throw ValidationError("--json and --csv exclude each other") }
    }

    func run() throws {
        if listSaved {
            for name in EmbeddedSQL.savedQueries.keys.sorted() { print(name) }
            return
        }
        var text = sql ?? ""
        if let saved {
            guard let query = EmbeddedSQL.savedQueries[saved] else {
                throw ManifestError.unknownSavedQuery(name: saved, known: EmbeddedSQL.savedQueries.keys.sorted())
            }
            text = query
        }
        _ = try location.open()
        let result = try QueryResult.run(sql: text, manifestPath: location.manifestPath)
        let chosen: OutputFormat = json ? .json : csv ? .csv : format
        print(chosen.render(result), terminator: "")
    }
}

struct Failures: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Failed and skipped items: counts by stage and reason, or every item with --list.")
    @OptionGroup var location: WorkdirOption

    @Option(help: "Only this stage.")
    var stage: String?

    @Flag(help: "List every failed or skipped item with its reason.")
    var list = false

    @Option(help: "Output format.")
    var format: OutputFormat = .table

    func run() throws {
        let result = try location.open().read { db in
            list ? try ManifestStats.failureList(db, stage: stage) : try ManifestStats.failureSummary(db, stage: stage)
        }
        print(format.render(result), terminator: "")
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A sample's whole provenance: sources, views, pose, caption, files, shard.")
    @OptionGroup var location: WorkdirOption

    @Argument(help: "The sample id (its shard key without zero padding).")
    var id: Int64

    func run() throws {
        guard let sections = try location.open().read({ db in try SampleProvenance.report(db, sampleID: id) }) else {
            throw ValidationError("no sample \(id) in \(location.workdir); list some with: cn-manifest export --workdir \(location.workdir) --table sample")
        }
        print(SampleProvenance.text(sections), terminator: "")
    }
}

struct Sheet: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A contact-sheet PNG of chosen samples: reference | concat | target with the box, T and caption.",
        discussion: "Choose samples with --ids, or with --where (an SQL condition on the sample table) and --limit.")
    @OptionGroup var location: WorkdirOption

    @Option(help: "Comma-separated sample ids.")
    var ids: String?

    @Option(name: .customLong("where"), help: "SQL condition on `sample`, e.g. \"split = 'val' AND kind = 'objaverse'\".")
    var condition: String?

    @Option(help: "At most this many samples.")
    var limit = 12

    @Option(help: "Output PNG.")
    var out: String

    func run() throws {
        let store = try location.open()
        var chosen = (ids ?? "").split(separator: ",").compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        if chosen.isEmpty {
            chosen = try QueryResult.sampleIDs(where: condition, limit: limit, manifestPath: location.manifestPath)
        }
        let sheet = try SampleSheet.render(ids: Array(chosen.prefix(limit)), workdir: URL(fileURLWithPath: location.workdir), manifest: store)
        try ImageFile.write(sheet, to: out)
        print("wrote \(out): \(min(chosen.count, limit)) samples, \(sheet.width)x\(sheet.height)")
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a table (default: sample) or a query as CSV or JSON Lines.",
        discussion: "Writes to --out or standard output. JSON Lines: one object per row, columns as keys.")
    @OptionGroup var location: WorkdirOption

    @Option(help: "Table to export.")
    var table = "sample"

    @Option(help: "A read-only query to export instead of a table.")
    var sql: String?

    @Option(help: "Output format.")
    var format: OutputFormat = .csv

    @Option(help: "Output file (default: standard output).")
    var out: String?

    func validate() throws {
        guard table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw ValidationError("--table must be a table name") }
    }

    func run() throws {
        _ = try location.open()
        let result = try sql.map { try QueryResult.run(sql: $0, manifestPath: location.manifestPath) }
            ?? QueryResult.table(table, manifestPath: location.manifestPath)
        let text = format.render(result)
        if let out {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
            print("exported \(result.rows.count) rows to \(out)")
        } else {
            print(text, terminator: "")
        }
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge per-partition workdirs into one.",
        discussion: """
            Typical use after `--partition 0/3`, `1/3`, `2/3` runs (or a Slurm array): \
            cn-manifest merge w0 w1 w2 --into all. Rows are unioned; each item keeps its most advanced \
            status; files are hard-linked. Conflicting content under one key or path stops the merge.
            """)

    @Argument(help: "Source workdirs.")
    var sources: [String]

    @Option(help: ArgumentHelp("Destination workdir (created when missing).", valueName: "dir"))
    var into: String

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("name at least one source workdir") }
    }

    func run() throws {
        let summary = try ManifestMerge.merge(
            sources: sources.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: into))
        let rows = summary.rowsByTable.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            .map { "\($0.key) +\($0.value)" }.joined(separator: ", ")
        print("merged \(sources.count) workdir(s) into \(into): \(rows.isEmpty ? "no new rows" : rows); \(summary.files) files linked")
    }
}

StageMain.main(ManifestCommand.self)
