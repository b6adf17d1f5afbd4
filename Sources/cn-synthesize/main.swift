import ArgumentParser
import OpenImagesStages
import Pipeline
import StageCLI
import Tensor

/// `cn-synthesize`: two novel views of every extracted object through a view-synthesis backend.
struct Synthesize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-synthesize",
        abstract: "Synthesise two novel views (x, y, 0) and (-x, -y, 0) of every extracted Open Images object.",
        discussion: """
            x (polar) and y (azimuth) are integer degrees drawn per object from U[0, 60) (configurable: \
            polar_min/polar_max/azimuth_min/azimuth_max in the pipeline's `synthesize` step), as CustomNet's \
            scripts. Writes WORKDIR/synthesize/{object}/view_0.png and view_1.png (256x256) and `novel_view` \
            rows with the backend and its provenance; cn-shard records the inverse pose as T. Backends: \
            `render` (exact views of objects with a known mesh: cn-fixture openimages), `diffusion` (zero123 \
            with the project's core: checkpoint, model_config, ema, steps 50, guidance 3.0, eta 0, spacing \
            ldm, batch 4), `auto` (render where the mesh is known, diffusion otherwise), `external` (a \
            JSON-lines command: command, batch_size, time_limit; e.g. scripts/external/zero123_diffusers.py). \
            A model backend loads its checkpoint before any item is claimed; one that cannot be loaded stops \
            the run with exit 1.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Backend (default: the pipeline's, else render).")
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

BLASKernels.useDetectedKernels()
StageMain.main(Synthesize.self)
