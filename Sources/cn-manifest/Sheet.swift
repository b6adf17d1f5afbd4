import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

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
