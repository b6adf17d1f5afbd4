import ArgumentParser
import Foundation
import ObjaverseStages
import StageCLI

/// `cn-fixture`: small datasets in the real on-disk formats, made from real meshes.
struct Fixture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-fixture",
        abstract: "Build small datasets in the real on-disk layouts from the real meshes of assimp-testmodels.",
        subcommands: [ObjaverseFixtureCommand.self])
}

struct ObjaverseFixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objaverse",
        abstract: "An Objaverse-layout collection: glbs/000-000/{uid}.glb, object-paths.json, metadata/000-000.json.")

    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Folder of Debian's assimp-testmodels.", valueName: "dir"))
    var models = ObjaverseFixture.defaultModels

    func run() throws {
        let uids = try ObjaverseFixture.build(out: out, models: models)
        StageMain.printLine("cn-fixture: wrote \(uids.count) assets to \(out) (glbs/000-000/{uid}.glb + metadata)")
    }
}

StageMain.main(Fixture.self)
