import ArgumentParser
import ObjaverseStages
import Pipeline
import StageCLI

/// `cn-compose`: Objaverse branch, rendered target views composited into backgrounds.
struct Compose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-compose",
        abstract: "Pair rendered views and composite each target view into a background at a sampled box.",
        discussion: """
            For every rendered asset: draws pairs_per_asset (reference, target) view pairs; frames the \
            reference as zero123's input (long side 200 on white 256); scales the target view's object to \
            a box whose long side is scale_min..scale_max of the canvas, fully inside it, with a contact \
            shadow and colour matching, over a photo from `backgrounds:` or a procedural scene. Writes \
            compose/{asset}/{ref}-{target}/target.png and ref.png and a `composition` row.
            """)

    @OptionGroup var common: CommonOptions

    func run() throws {
        let config = try StageConfig.decode(ComposeConfig.self, step: "compose", pipeline: try common.pipeline())
        try StageMain.run(ComposeStage(config: config), executable: "cn-compose", options: common, settings: ["compose": config])
    }
}

StageMain.main(Compose.self)
