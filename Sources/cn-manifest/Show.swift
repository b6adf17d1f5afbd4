import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

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
