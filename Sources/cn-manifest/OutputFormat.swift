import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

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
