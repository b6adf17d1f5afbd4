import Foundation
import Geometry
import Imaging
import Assets
import Support

/// An asset loaded, normalised like zero123's `normalize_scene` and flattened for rendering.
public struct PreparedAsset: Sendable {
    /// The normalised scene (Z-up world, inside [-0.5, 0.5]^3).
    public let scene: Scene
    /// What normalisation did (bounds before, scale, offset).
    public let normalization: Normalization
    /// Flattened triangles with decoded textures.
    public let renderScene: RenderScene
    public var triangleCount: Int { renderScene.triangleCount }
}

/// One view of an asset, in Zero-1-to-3's conventions.
public struct RenderedView: Sendable {
    /// 0-based view index (zero123 names the files {index:03d}.png / .npy).
    public let index: Int
    /// RGBA, transparent background.
    public let image: RGBAImage
    /// The 3x4 world-to-camera [R | t] saved as {index:03d}.npy.
    public let worldToCamera: WorldToCamera
    /// Camera position in zero123's spherical coordinates (polar from +Z, azimuth atan2(y, x), radius).
    public let spherical: SphericalCoordinates
    public let depth: [Float]?
    public let mask: [UInt8]?
}

/// All views of one asset plus what a manifest records about the render.
public struct RenderedAsset: Sendable {
    public let views: [RenderedView]
    public let triangleCount: Int
    /// Bounds before normalisation, scale and offset.
    public let normalization: Normalization
    /// The light used for every view.
    public let light: Light
    /// Lens and output settings.
    public let settings: RenderSettings
    /// "glb", "gltf", "obj", "ply".
    public let format: String
    /// Wall-clock seconds spent (load + render).
    public let seconds: Double
}

/// The entry points the render stages call.
///
/// - `render(assetAt:views:resolution:cameras:rng:limits:settings:timeLimit:texturePolicy:)`:
///   one asset -> N views in Zero-1-to-3's conventions (cn-render, cn-fixture).
/// - `prepare(assetAt:)` / `prepare(scene:)` once, then `render(_:camera:settings:)` or
///   `render(_:worldToCamera:settings:)` per given pose (fixtures, cn-synthesize's render backend).
/// - `render(scene:camera:settings:normalize:)`: one view of an in-memory scene.
/// Every refusal is an `AssetError` (a `DescribedError` with a stable `kind`).
public enum AssetRenderer {
    /// Loads, normalises and flattens an asset (textures decoded; `texturePolicy` decides what an
    /// undecodable texture does).
    public static func prepare(assetAt url: URL, limits: AssetLimits = .default,
                               texturePolicy: RenderScene.TexturePolicy = .refuse) throws -> PreparedAsset {
        try prepare(scene: try AssetLoader.load(url: url, limits: limits), limits: limits, texturePolicy: texturePolicy)
    }

    /// Normalises and flattens an already loaded scene.
    public static func prepare(scene: Scene, limits: AssetLimits = .default,
                               texturePolicy: RenderScene.TexturePolicy = .refuse) throws -> PreparedAsset {
        let (normalized, info) = try scene.normalizedLikeZero123()
        let flat = try RenderScene(scene: normalized, limits: limits, texturePolicy: texturePolicy)
        return PreparedAsset(scene: normalized, normalization: info, renderScene: flat)
    }

    /// Renders `views` views of the asset at `url` the way zero123's blender_script does: load,
    /// normalise into [-0.5, 0.5]^3, draw one light per asset from `rng` (energy, x, y, z), then
    /// the cameras from `rng` (`cameras`), render each at `resolution` x `resolution`.
    /// Throws an `AssetError` (one line, stable kind) for any refused asset, and "time-limit"
    /// when `timeLimit` seconds pass (checked between views).
    public static func render(assetAt url: URL, views: Int, resolution: Int, cameras: CameraSampling = .zero123,
                              rng: inout SeededRandom, limits: AssetLimits = .default,
                              settings: RenderSettings = RenderSettings(), timeLimit: Double? = nil,
                              texturePolicy: RenderScene.TexturePolicy = .refuse) throws -> RenderedAsset {
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let prepared = try prepare(assetAt: url, limits: limits, texturePolicy: texturePolicy)
        let light = Light.zero123Random(rng: &rng)
        let poses = cameras.poses(count: views, rng: &rng)
        var viewSettings = settings
        viewSettings.width = resolution
        viewSettings.height = resolution
        viewSettings.light = light
        var out: [RenderedView] = []
        for (i, pose) in poses.enumerated() {
            if let timeLimit, elapsed() > timeLimit {
                throw AssetError(.timeLimit, message: "rendering \(url.lastPathComponent) took over \(timeLimit) s (\(i) of \(views) views done)")
            }
            let r = Rasterizer.render(prepared.renderScene, camera: pose, settings: viewSettings)
            out.append(RenderedView(index: i, image: r.image, worldToCamera: pose.worldToCamera, spherical: pose.spherical,
                                    depth: r.depth, mask: r.mask))
        }
        return RenderedAsset(views: out, triangleCount: prepared.triangleCount, normalization: prepared.normalization,
                             light: light, settings: viewSettings, format: prepared.scene.format, seconds: elapsed())
    }

    /// Renders one view of an in-memory scene (normalised like zero123 first unless `normalize` is false).
    public static func render(scene: Scene, camera: CameraPose, settings: RenderSettings = RenderSettings(),
                              normalize: Bool = true, limits: AssetLimits = .default,
                              texturePolicy: RenderScene.TexturePolicy = .refuse) throws -> RenderOutput {
        let flat: RenderScene
        if normalize {
            flat = try prepare(scene: scene, limits: limits, texturePolicy: texturePolicy).renderScene
        } else {
            flat = try RenderScene(scene: scene, limits: limits, texturePolicy: texturePolicy)
        }
        return Rasterizer.render(flat, camera: camera, settings: settings)
    }

    /// Renders one view of a prepared asset from a given camera pose.
    public static func render(_ asset: PreparedAsset, camera: CameraPose, settings: RenderSettings = RenderSettings()) -> RenderOutput {
        Rasterizer.render(asset.renderScene, camera: camera, settings: settings)
    }

    /// Renders one view of a prepared asset from a saved world-to-camera matrix.
    public static func render(_ asset: PreparedAsset, worldToCamera: WorldToCamera, settings: RenderSettings = RenderSettings()) -> RenderOutput {
        Rasterizer.render(asset.renderScene, camera: CameraPose(worldToCamera: worldToCamera), settings: settings)
    }
}
