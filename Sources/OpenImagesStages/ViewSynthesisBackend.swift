import Foundation
import Geometry
import Imaging
import Manifest
import Pipeline
import Raster
import Support
import Synchronization

/// One novel view to synthesise: the offset from the photo's camera in zero123's spherical
/// coordinates (degrees, degrees, radius units), as CustomNet's meta.json "view" entries.
public struct ViewDelta: Sendable, Equatable {
    public var polarDegrees: Double, azimuthDegrees: Double, radius: Double
    public init(polarDegrees: Double, azimuthDegrees: Double, radius: Double) {
        self.polarDegrees = polarDegrees
        self.azimuthDegrees = azimuthDegrees
        self.radius = radius
    }
}

/// A mesh and the camera an object's photo was taken from (the `object_mesh` table).
public struct KnownMesh: Sendable, Equatable {
    /// Absolute mesh path.
    public var path: String
    /// The photo's camera, world-to-camera (Blender camera axes, Z-up world, normalised scene).
    public var worldToCamera: WorldToCamera
    public init(path: String, worldToCamera: WorldToCamera) {
        self.path = path
        self.worldToCamera = worldToCamera
    }
}

/// What a backend gets to synthesise views of one extracted object.
public struct SynthesisSubject: Sendable {
    /// The object id.
    public var objectID: String
    /// Absolute path of the extracted reference (`extract/{object}/ref.png`, zero123 framing):
    /// the input of an image-conditioned model.
    public var reference: String
    /// The object's mesh and photo camera, when known.
    public var mesh: KnownMesh?

    public init(objectID: String, reference: String, mesh: KnownMesh?) {
        self.objectID = objectID
        self.reference = reference
        self.mesh = mesh
    }
}

/// A view-synthesis backend: given an extracted object and a pose offset, the object seen from
/// that offset, framed as zero123's input (long side `longSide` centred on a white `canvas`).
/// A backend that cannot compute a view must throw (kind 'no-backend-view'): never fake one.
public protocol ViewSynthesisBackend: Sendable {
    /// Recorded in `novel_view.backend`.
    var name: String { get }
    /// The view of `subject` at `delta` from the photo's camera.
    func view(of subject: SynthesisSubject, delta: ViewDelta) throws -> RGBAImage
}

/// The registry of backends: the extension point where the diffusion backend (Zero-1-to-3 /
/// CustomNet view synthesis, `Sources/Diffusion`) plugs in when the model ships.
public enum SynthesisBackends {
    /// The backend named in the config.
    public static func make(_ config: SynthesizeConfig) throws -> any ViewSynthesisBackend {
        switch config.backend {
        case .render: return RenderSynthesisBackend(config: config)
        case .diffusion:
            // EXTENSION POINT: a `DiffusionSynthesisBackend: ViewSynthesisBackend` that runs the
            // view-conditioned model on `subject.reference` with T = [rad x, sin rad y, cos rad y, z]
            // (DDIM 50, guidance 3.0) goes here when the model ships.
            throw ConfigError(message: "step 'synthesize': the diffusion backend ships with the view-synthesis model and is not available yet; use backend: render")
        }
    }
}
