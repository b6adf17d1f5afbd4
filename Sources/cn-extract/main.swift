import ArgumentParser
import Datasets
import OpenImagesStages
import Pipeline
import StageCLI
import Imaging

/// `cn-extract`: Open Images objects -> cut-out, zero123 reference canvas, 256 target, bbox.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-extract",
        abstract: "Extract every accepted Open Images object: cut-out, reference (200 in 256, white), 256 target, bbox.",
        discussion: """
            Writes WORKDIR/extract/{object}/object.png (RGBA cut-out), ref.png, target.png (256x256), \
            target_mask.png and an `extraction` row (bbox in target pixels, taken from the mask). Framing \
            comes from the pipeline's `extract` step (targetSize, targetFraming: square|resize, squareMargin, \
            referenceLongSide ..., pngCompressionLevel 0-9, default 6); mask checks from the `ingest-openimages` step's filters. Defects fail the \
            item with a kind naming them (missing-photo, corrupt-jpeg, mask-aspect-mismatch, ...).
            """)

    @OptionGroup var common: CommonOptions

    func run() throws {
        let pipeline = try common.pipeline()
        let config = try StageConfig.decode(ExtractStepConfig.self, step: "extract", pipeline: pipeline)
        let filter = try StageConfig.decode(ObjectFilterConfig.self, step: "ingest-openimages", pipeline: pipeline)
        var stage = ExtractStage(config: config.extraction, filter: filter)
        stage.png.compressionLevel = config.pngCompressionLevel
        try StageMain.run(stage, executable: "cn-extract", options: common, settings: ["extract": config, "ingest-openimages": filter])
    }
}

StageMain.main(Extract.self)
