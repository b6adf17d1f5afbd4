import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

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
