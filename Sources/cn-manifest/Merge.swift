import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

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
