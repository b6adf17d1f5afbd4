import Assets
import Foundation
import Geometry
import Imaging
import Manifest
import Pipeline
import Raster
import Support

/// `cn-render`: renders every ingested asset the way Zero-1-to-3's blender_script does
/// (Zero-1-to-3, arXiv:2303.11328 and github.com/cvlab-columbia/zero123 objaverse-rendering/scripts/blender_script.py) and publishes `render/{asset}/{i:03d}.png` (RGBA, transparent
/// background), `{i:03d}.npy` (3x4 world-to-camera, Blender camera axes) and `meta.json`,
/// rendering into a temporary folder, checking the file count, then publishing it (as
/// objaverse-xl's renderer does); records each view with its polar, azimuth and radius.
public struct RenderStage: Stage {
    public let name = "render"
    /// The validated settings.
    public let config: RenderConfig

    /// Creates the stage.
    public init(config: RenderConfig) {
        self.config = config
    }

    public func listItems(_ context: StageContext) throws -> [String] {
        let ids = try context.manifest.read { db in try AssetRecord.allIDs(db) }
        guard !ids.isEmpty else {
            throw RunnerError.cannotRun("the manifest has no assets to render: run `cn-ingest objaverse --root DIR --workdir \(context.workdir.path)` first")
        }
        return ids
    }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        // The key names the output folder: it must not leave render/ (an id from a hostile file name).
        _ = try ContainedPath.check(item.key, what: "asset id", singleComponent: true)
        guard let path = try item.stage.manifest.read({ db in try AssetRecord.find(db, id: item.key)?.path }) else {
            throw RunnerError.cannotRun("asset \(item.key) is not in the manifest")
        }
        var limits = AssetLimits()
        limits.maxFileBytes = Int(config.maxFileMiB * 1_048_576)
        limits.maxTriangles = config.maxTriangles
        // The time limit covers loading too: the loaders poll it, and a stop signal ends a load at once.
        limits.deadline = Deadline(seconds: config.timeLimit, cancelled: { StopSignal.pending != 0 })
        var settings = RenderSettings()
        settings.supersampling = config.supersampling
        settings.threads = 1
        let rendered = try AssetRenderer.render(
            assetAt: URL(fileURLWithPath: path), views: config.views, resolution: config.resolution,
            cameras: cameraSampling, rng: &item.random, limits: limits, settings: settings, timeLimit: config.timeLimit)

        let folder = "\(name)/\(item.key)"
        let staging = try item.makeStagingFolder(for: folder)
        try rendered.writeZero123Views(to: staging.path, durable: false)
        let records = rendered.views.map { view in
            let stem = String(format: "%03d", view.index)
            return ViewRecord(assetID: item.key, index: view.index, image: "\(folder)/\(stem).png", pose: "\(folder)/\(stem).npy",
                              polar: view.spherical.polar, azimuth: view.spherical.azimuth, radius: view.spherical.radius)
        }
        var meta = rendered.metadata
        meta["seconds"] = nil
        meta["source"] = path
        meta["sampling"] = config.cameras.rawValue
        try Data(try JSONText.document(meta)).write(to: staging.appendingPathComponent("meta.json"))
        let written = try FileManager.default.contentsOfDirectory(atPath: staging.path).count
        guard written == 2 * config.views + 1 else {
            throw RenderOutputError(asset: item.key, expected: 2 * config.views + 1, found: written)
        }
        try item.publishFolder(staging, to: folder)
        return .done(records)
    }

    private var cameraSampling: CameraSampling {
        switch config.cameras {
        case .ring: .ring(elevationsDegrees: [config.ringElevation], radius: config.ringRadius)
        case .zero123Cube: .zero123Cube()
        case .random: .zero123
        }
    }
}

/// A render whose staging folder does not hold the expected files: never published.
public struct RenderOutputError: DescribedError {
    let asset: String
    let expected: Int
    let found: Int
    public var kind: String { "incomplete-render" }
    public var message: String { "render of \(asset) produced \(found) files instead of \(expected); nothing was published" }
}
