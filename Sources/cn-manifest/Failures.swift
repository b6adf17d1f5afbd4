import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

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
