import ArgumentParser
import Foundation
import CorpusStages
import Imaging
import Manifest
import StageCLI

/// Options shared by the reading subcommands.
struct WorkdirOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The workdir holding manifest.sqlite.", valueName: "dir"))
    var workdir: String

    var manifestPath: String { URL(fileURLWithPath: workdir).appendingPathComponent(ManifestStore.fileName).path }

    /// The workdir's manifest, opened read-only: readers never create, migrate or write it.
    func open() throws -> ManifestStore { try ManifestStore.openExisting(workdir: URL(fileURLWithPath: workdir), mode: .readOnly) }
}
