import ArgumentParser
import ObjaverseStages
import StageCLI

/// `cn-ingest`: index data sources into the manifest.
struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-ingest",
        abstract: "Index data sources (3D asset collections, Open Images) into the workdir's manifest.",
        subcommands: [Objaverse.self])
}

/// `cn-ingest objaverse --root DIR`.
struct Objaverse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Index every .glb/.gltf/.obj/.ply below a folder (Objaverse layout and metadata when present).",
        discussion: """
            Records one `asset` row per file: id (the Objaverse uid for glbs/000-XXX/{uid}.glb, else a \
            stable hash of the relative path), path, format, size, and name/tags/categories/license from \
            metadata/000-XXX.json[.gz]. Files are not parsed here: broken meshes fail in cn-render with their reason.
            """)

    @Option(help: ArgumentHelp("The collection's root folder.", valueName: "dir"))
    var root: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        try StageMain.run(IngestObjaverseStage(root: root), executable: "cn-ingest", options: common)
    }
}

StageMain.main(Ingest.self)
