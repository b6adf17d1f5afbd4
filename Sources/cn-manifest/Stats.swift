import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

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
