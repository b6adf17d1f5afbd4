import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

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
