import ArgumentParser
import CorpusStages
import Pipeline
import StageCLI

/// `cn-caption`: background captions for compositions and photos.
struct Caption: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-caption",
        abstract: "Caption every composition and photo: Localized Narratives, an external captioner, or templates.",
        discussion: """
            Photos that have Localized Narratives keep them. Otherwise, with `command:` in the caption \
            step, the command receives JSON lines {"id", "image"} on stdin and must print {"id", \
            "caption"} lines within time_limit seconds per batch of batch_size; subjects it does not \
            caption fail with the reason. Without a command, templates combine the object's name and \
            the background's description.
            """)

    @OptionGroup var common: CommonOptions

    func run() throws {
        let config = try StageConfig.decode(CaptionConfig.self, step: "caption", pipeline: try common.pipeline())
        try StageMain.run(CaptionStage(config: config), executable: "cn-caption", options: common, settings: ["caption": config])
    }
}

StageMain.main(Caption.self)
