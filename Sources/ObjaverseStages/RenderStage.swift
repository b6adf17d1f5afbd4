import Assets
import Foundation
import Geometry
import Imaging
import Manifest
import Pipeline
import Raster
import Support

/// `cn-render`: renders every ingested asset the way Zero-1-to-3's blender_script does
/// (customnet.md section 3) and publishes `render/{asset}/{i:03d}.png` (RGBA, transparent
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
        try context.manifest.read { db in try String.fetchAll(db, sql: "SELECT id FROM asset ORDER BY id") }
    }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        guard let path = try item.stage.manifest.read({ db in
            try String.fetchOne(db, sql: "SELECT path FROM asset WHERE id = ?", arguments: [item.key])
        }) else {
            throw RunnerError.cannotRun("asset \(item.key) is not in the manifest")
        }
        var limits = AssetLimits()
        limits.maxFileBytes = Int(config.maxFileMiB * 1_048_576)
        limits.maxTriangles = config.maxTriangles
        var settings = RenderSettings()
        settings.supersampling = config.supersampling
        settings.threads = 1
        let rendered = try AssetRenderer.render(
            assetAt: URL(fileURLWithPath: path), views: config.views, resolution: config.resolution,
            cameras: cameraSampling, rng: &item.random, limits: limits, settings: settings, timeLimit: config.timeLimit)

        let folder = "\(name)/\(item.key)"
        let staging = try item.makeStagingFolder(for: folder)
        var records: [RecordStatement] = []
        for view in rendered.views {
            let stem = String(format: "%03d", view.index)
            let image = RGBAImage(width: view.image.width, height: view.image.height, pixels: view.image.pixels)
            try Data(PNG.encode(image)).write(to: staging.appendingPathComponent(stem + ".png"))
            try Data(view.worldToCamera.npyFloat32).write(to: staging.appendingPathComponent(stem + ".npy"))
            records.append(RecordStatement("""
                INSERT OR REPLACE INTO view (asset_id, idx, image, pose, polar, azimuth, radius) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [item.key, view.index, "\(folder)/\(stem).png", "\(folder)/\(stem).npy",
                      view.spherical.polar, view.spherical.azimuth, view.spherical.radius]))
        }
        try Data(try JSONText.document(meta(rendered, path: path))).write(to: staging.appendingPathComponent("meta.json"))
        let written = try FileManager.default.contentsOfDirectory(atPath: staging.path).count
        guard written == 2 * config.views + 1 else {
            throw RenderOutputError(asset: item.key, expected: 2 * config.views + 1, found: written)
        }
        try item.publishFolder(staging, to: folder)
        return .done(records)
    }

    private var cameraSampling: CameraSampling {
        config.cameras == "ring"
            ? .ring(elevationsDegrees: [config.ringElevation], radius: config.ringRadius)
            : .zero123
    }

    /// meta.json: what a user needs to audit or reproduce the render (no timings, so the bytes are deterministic).
    private func meta(_ rendered: RenderedAsset, path: String) -> [String: Any] {
        let n = rendered.normalization
        let intrinsics = rendered.settings.intrinsics
        return [
            "source": path,
            "format": rendered.format,
            "triangles": rendered.triangleCount,
            "bounds_before_normalization": ["min": n.boundsBefore.min.array, "max": n.boundsBefore.max.array],
            "normalization": ["scale": n.scale, "offset": n.offset.array],
            "light": ["energy": rendered.light.energy, "location": rendered.light.location.array],
            "camera": [
                "lens_mm": intrinsics.focalLength, "sensor_width_mm": intrinsics.sensorWidth,
                "horizontal_fov_degrees": intrinsics.fieldOfView * 180 / Double.pi,
                "resolution": config.resolution, "supersampling": config.supersampling, "sampling": config.cameras,
            ],
            "views": rendered.views.map { view in
                ["index": view.index, "polar": view.spherical.polar, "azimuth": view.spherical.azimuth,
                 "radius": view.spherical.radius, "world_to_camera": view.worldToCamera.rowMajor3x4] as [String: Any]
            },
        ]
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

extension Vec3 {
    /// [x, y, z] for JSON.
    var array: [Double] { [x, y, z] }
}
