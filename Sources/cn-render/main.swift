import ArgumentParser
import ObjaverseStages
import Pipeline
import StageCLI

/// `cn-render`: 3D assets -> N views each, in Zero-1-to-3's conventions.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-render",
        abstract: "Render every ingested asset from sampled viewpoints, as Zero-1-to-3's renders.",
        discussion: """
            Writes WORKDIR/render/{asset}/{i:03d}.png (RGBA, transparent background), {i:03d}.npy \
            (3x4 world-to-camera matrix, Blender camera axes, as zero123 saves it) and meta.json; \
            records every view in the manifest with its polar, azimuth and radius. Settings come from \
            the pipeline's `render` step (views, resolution, cameras: random|ring, supersampling, \
            time_limit ...); the flags below override them.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Views per asset (default 12).")
    var views: Int?

    @Option(help: "Output size in pixels: 256 (default) or 512.")
    var resolution: Int?

    @Option(help: "Camera placement (default: the pipeline's, else random).")
    var cameras: CameraMode?

    func run() throws {
        let pipeline = try common.pipeline()
        var config = try StageConfig.decode(RenderConfig.self, step: "render", pipeline: pipeline)
        if let views { config.views = views }
        if let resolution { config.resolution = resolution }
        if let cameras { config.cameras = cameras }
        try StageMain.run(RenderStage(config: try config.validated()), executable: "cn-render", options: common,
                          settings: ["render": config])
    }
}

extension CameraMode: ExpressibleByArgument {}

StageMain.main(Render.self)
