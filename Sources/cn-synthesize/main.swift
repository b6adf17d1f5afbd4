import ArgumentParser
import OpenImagesStages
import Pipeline
import StageCLI

/// `cn-synthesize`: two novel views of every extracted object through a view-synthesis backend.
struct Synthesize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-synthesize",
        abstract: "Synthesise two novel views (x, y, 0) and (-x, -y, 0) of every extracted Open Images object.",
        discussion: """
            x (polar) and y (azimuth) are integer degrees drawn per object from U[0, 60) (configurable: \
            polar_min/polar_max/azimuth_min/azimuth_max in the pipeline's `synthesize` step), as CustomNet's \
            scripts. Writes WORKDIR/synthesize/{object}/view_0.png and view_1.png (256x256, long side 200 on \
            white) and `novel_view` rows; cn-shard records the inverse pose as T. Backend `render` computes \
            exact views of objects with a known mesh and camera (cn-fixture openimages); other objects fail \
            with 'no-backend-view'. The `diffusion` backend comes with the model.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Backend (default: the pipeline's, else render; diffusion is not available yet).")
    var backend: SynthesisBackendName?

    func run() throws {
        let pipeline = try common.pipeline()
        var config = try StageConfig.decode(SynthesizeConfig.self, step: "synthesize", pipeline: pipeline)
        if let backend { config.backend = backend }
        try StageMain.run(try SynthesizeStage(config: try config.validated()), executable: "cn-synthesize", options: common,
                          settings: ["synthesize": config])
    }
}

extension SynthesisBackendName: ExpressibleByArgument {}

StageMain.main(Synthesize.self)
