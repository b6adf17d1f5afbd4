import ArgumentParser
import Datasets
import ObjaverseStages
import OpenImagesStages
import Pipeline
import StageCLI

/// `cn-ingest`: index data sources into the manifest.
struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-ingest",
        abstract: "Index data sources (3D asset collections, Open Images) into the workdir's manifest.",
        subcommands: [Objaverse.self, OpenImages.self])
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
        try StageMain.run(IngestObjaverseStage(root: root), executable: "cn-ingest", options: common, createsWorkdir: true)
    }
}

/// `cn-ingest openimages --root DIR [--split S]`.
struct OpenImages: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openimages",
        abstract: "Index an Open Images split: classes, images (Rotation), objects (joined to boxes, filtered), narratives.",
        discussion: """
            Reads the real layout under --root: {split}-annotations-object-segmentation.csv, the box CSV \
            (oidv6-train-annotations-bbox.csv or {split}-annotations-bbox.csv), class descriptions (with or \
            without header), the image list with Rotation, Localized Narratives JSONL, photos in {split}/ or \
            {split}_X/, masks unzipped or in the 16 {split}-masks-{0..f}.zip. Filters come from the pipeline's \
            `ingest-openimages` step `config:` (ObjectFilterConfig: minBoxArea, maxBoxArea, minObjectSidePixels, \
            minPredictedIoU, excludeGroupOf, excludeTruncated, excludeOccluded ...). Rejected objects become \
            skipped work rows and malformed rows failed ones ('file:line'), shown by `cn-manifest failures`.
            """)

    @Option(help: ArgumentHelp("The dataset root.", valueName: "dir"))
    var root: String

    @Option(help: "The split to index.")
    var split = OpenImagesSplit.train

    @OptionGroup var common: CommonOptions

    func run() throws {
        let pipeline = try common.pipeline()
        let filter = try StageConfig.decode(ObjectFilterConfig.self, step: "ingest-openimages", pipeline: pipeline)
        try StageMain.run(IngestOpenImagesStage(root: root, split: split.rawValue, filter: filter), executable: "cn-ingest", options: common,
                          settings: ["ingest-openimages": filter], createsWorkdir: true)
    }
}

/// The splits of Open Images.
enum OpenImagesSplit: String, CaseIterable, ExpressibleByArgument {
    case train, validation, test
}

StageMain.main(Ingest.self)
