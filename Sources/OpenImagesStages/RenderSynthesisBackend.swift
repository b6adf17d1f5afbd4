import Foundation
import Geometry
import Imaging
import Manifest
import Pipeline
import Raster
import Support
import Synchronization

/// The `render` backend: exact views of objects whose mesh and photo camera are known (the
/// fixture's objects), rendered with the project's rasteriser.
///
/// How the offset is applied, in zero123's spherical convention (Zero-1-to-3, arXiv:2303.11328 and github.com/cvlab-columbia/zero123 objaverse-rendering/scripts/blender_script.py): the
/// photo's camera location p = -Rᵀt has polar θ = atan2(√(x²+y²), z) (from +Z), azimuth
/// φ = atan2(y, x) and radius r. The view at offset (Δθ, Δφ, Δr) is the camera at
/// (θ + Δθ, φ + Δφ, r + Δr), looking at the origin (the normalised object's centre) with +Z up,
/// as zero123's renders orient every camera. So zero123's get_T(view, photo) is exactly
/// [Δθ, sin Δφ, cos Δφ, Δr], and the sample's condition from the view back to the photo is its
/// inverse [-Δθ, sin -Δφ, cos -Δφ, -Δr] (`RelativePose.inverseOfOffset`). Offsets taking θ outside (0, π) would
/// cross a pole (the spherical coordinates would no longer differ by Δθ): such views fail with
/// 'pose-out-of-range'. The photo camera itself must look at the origin without roll (the
/// fixture's cameras are `CameraPose.lookAt`), which is what makes the offset camera comparable.
public final class RenderSynthesisBackend: ViewSynthesisBackend {
    public let name = "render"
    public let config: SynthesizeConfig
    private let assets = Mutex<[String: PreparedAsset]>([:])

    public init(config: SynthesizeConfig) {
        self.config = config
    }

    /// The camera at `delta` from `photo` (see the type's documentation).
    public static func camera(from photo: WorldToCamera, delta: ViewDelta) throws -> CameraPose {
        let s = SphericalCoordinates(cartesian: photo.cameraLocation)
        let polar = s.polar + delta.polarDegrees * Double.pi / 180
        let azimuth = s.azimuth + delta.azimuthDegrees * Double.pi / 180
        let radius = s.radius + delta.radius
        guard polar > 1e-6, polar < Double.pi - 1e-6, radius > 0 else {
            throw SynthesisError(.poseOutOfRange, message: String(
                format: "view at polar %.1f° (photo %.1f° + %.0f°), radius %.2f leaves zero123's spherical range", polar * 180 / .pi,
                s.polar * 180 / .pi, delta.polarDegrees, radius))
        }
        return CameraPose.lookAt(location: SphericalCoordinates(polar: polar, azimuth: azimuth, radius: radius).cartesian)
    }

    /// Each view rendered on its own; no noise is drawn.
    public func views(of subject: SynthesisSubject, deltas: [ViewDelta], random: inout SeededRandom) throws -> SynthesizedViews {
        SynthesizedViews(images: try deltas.map { try view(of: subject, delta: $0) }, backend: name)
    }

    /// The view of `subject` at `delta`.
    public func view(of subject: SynthesisSubject, delta: ViewDelta) throws -> RGBAImage {
        guard let mesh = subject.mesh else {
            throw SynthesisError(.noBackendView, message: "render backend needs a known mesh; use backend diffusion or auto (object \(subject.objectID) has no object_mesh row)")
        }
        let asset = try prepared(mesh.path)
        let camera = try Self.camera(from: mesh.worldToCamera, delta: delta)
        let settings = RenderSettings(width: config.renderSize, height: config.renderSize, supersampling: config.supersampling)
        let image = AssetRenderer.render(asset, camera: camera, settings: settings).image
        guard let framed = ObjectFraming.reference(image, canvas: config.canvas, longSide: config.longSide) else {
            throw SynthesisError(.emptyView, message: "the mesh of \(subject.objectID) is not visible from the offset camera")
        }
        return framed
    }

    private func prepared(_ path: String) throws -> PreparedAsset {
        if let asset = assets.withLock({ $0[path] }) { return asset }
        let asset = try AssetRenderer.prepare(assetAt: URL(fileURLWithPath: path))
        assets.withLock { $0[path] = asset }
        return asset
    }
}
