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
    /// The seed of the item's random stream (recorded as the views' seed, sent to external clients).
    public var seed: UInt64

    public init(objectID: String, reference: String, mesh: KnownMesh?, seed: UInt64 = 0) {
        self.objectID = objectID
        self.reference = reference
        self.mesh = mesh
        self.seed = seed
    }
}

/// One item as the stage plans it: the subject, its view offsets, and its random stream after
/// the pose draws (where a model's noise comes from).
public struct SynthesisPlan: Sendable {
    public var subject: SynthesisSubject
    public var deltas: [ViewDelta]
    public var random: SeededRandom
    public init(subject: SynthesisSubject, deltas: [ViewDelta], random: SeededRandom) {
        self.subject = subject
        self.deltas = deltas
        self.random = random
    }
}

/// The run's items in order and how to plan any of them: what a batching backend (external)
/// needs to build the requests of an item's batch-mates exactly as their own turn would.
public struct SynthesisPlanner: Sendable {
    public var order: [String]
    public var plan: @Sendable (String) throws -> SynthesisPlan
    public init(order: [String], plan: @escaping @Sendable (String) throws -> SynthesisPlan) {
        self.order = order
        self.plan = plan
    }
}

/// The views a backend made of one item, with who made them and how.
public struct SynthesizedViews: Sendable {
    /// One image per offset, framed on the canvas.
    public var images: [RGBAImage]
    /// The backend that made them (`novel_view.backend`; `auto` names the one it chose).
    public var backend: String
    /// The model settings behind them (all nil for rendered views).
    public var provenance: NovelViewProvenance
    public init(images: [RGBAImage], backend: String, provenance: NovelViewProvenance = .init()) {
        self.images = images
        self.backend = backend
        self.provenance = provenance
    }
}

/// A view-synthesis backend: given an extracted object and ALL its pose offsets at once (so a
/// model samples an item's views together), the object seen from each offset, framed as
/// zero123's input (long side `longSide` centred on a white `canvas`, or the model's whole view
/// resized to the canvas). A backend that draws noise takes it from `random`, the item's stream
/// after the pose draws. A backend that cannot compute a view must throw (kind
/// 'no-backend-view'): never fake one.
public protocol ViewSynthesisBackend: Sendable {
    /// The configured backend's name.
    var name: String { get }
    /// The views of `subject` at `deltas` from the photo's camera, in order.
    func views(of subject: SynthesisSubject, deltas: [ViewDelta], random: inout SeededRandom) throws -> SynthesizedViews
    /// Called once, before any item is processed, with the run's items (batching backends).
    func prepare(_ planner: SynthesisPlanner)
}

extension ViewSynthesisBackend {
    public func prepare(_ planner: SynthesisPlanner) {}
}

/// The registry of backends: the one named in the config. Model backends load (and hash) their
/// checkpoint here, once per run, before any item is claimed.
public enum SynthesisBackends {
    /// The backend named in the config.
    public static func make(_ config: SynthesizeConfig) throws -> any ViewSynthesisBackend {
        switch config.backend {
        case .render: return RenderSynthesisBackend(config: config)
        case .diffusion: return try DiffusionSynthesisBackend(config: config)
        case .auto: return AutoSynthesisBackend(render: RenderSynthesisBackend(config: config), diffusion: try DiffusionSynthesisBackend(config: config))
        case .external: return try ExternalSynthesisBackend(config: config)
        }
    }
}

/// `auto`: the render backend where the object's mesh is known, the diffusion backend otherwise.
public struct AutoSynthesisBackend: ViewSynthesisBackend {
    public let name = "auto"
    public let render: RenderSynthesisBackend
    public let diffusion: DiffusionSynthesisBackend

    public func views(of subject: SynthesisSubject, deltas: [ViewDelta], random: inout SeededRandom) throws -> SynthesizedViews {
        if subject.mesh != nil { return try render.views(of: subject, deltas: deltas, random: &random) }
        return try diffusion.views(of: subject, deltas: deltas, random: &random)
    }
}
