import ArgumentParser
import Foundation
import Fixtures
import StageCLI

/// `cn-fixture`: small datasets in the real on-disk formats, made from real meshes.
struct Fixture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-fixture",
        abstract: "Build small datasets in the real on-disk layouts from the real meshes of assimp-testmodels.",
        subcommands: [ObjaverseFixtureCommand.self, OpenImagesFixtureCommand.self])
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

struct OpenImagesFixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openimages",
        abstract: "An Open Images-layout dataset of real meshes rendered into backgrounds, with planted defects and fixture-truth.json.")

    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var out: String

    @Option(help: "Clean objects (one per photo); six defective ones are added.")
    var count = 10

    @Option(help: "Seed: the same seed and count give the same bytes.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Folder of Debian's assimp-testmodels.", valueName: "dir"))
    var models = ObjaverseFixture.defaultModels

    @Flag(name: .customLong("no-meshes"), help: "The same data without the object-mesh link: every object needs a model-made view (backend diffusion).")
    var noMeshes = false

    func run() throws {
        let truth = try OpenImagesFixture.build(out: out, count: count, seed: seed, models: models, knownMeshes: !noMeshes)
        StageMain.printLine("cn-fixture: wrote \(truth.objects.count) objects (\(truth.defects.count) planted defects) to \(out)")
    }
}

StageMain.main(Fixture.self)
