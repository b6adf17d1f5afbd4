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

StageMain.main(ManifestCommand.self)
