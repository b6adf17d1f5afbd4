import Foundation
import Geometry
import Imaging
import Manifest
import Pipeline
import Raster
import Support
import Synchronization

/// The `synthesize` step's settings (Pipelines/openimages.yaml `config:`). Pose sampling follows
/// CustomNet's scripts/process_data.sh: integer degrees x (polar) from U[polar_min, polar_max)
/// and y (azimuth) from U[azimuth_min, azimuth_max), views (x, y, 0) and (-x, -y, 0).
public struct SynthesizeConfig: StageConfiguration, Equatable {
    /// The view-synthesis backend.
    public var backend = SynthesisBackendName.render
    /// Polar offset range in integer degrees, [min, max).
    public var polarMin = 0, polarMax = 60
    /// Azimuth offset range in integer degrees, [min, max).
    public var azimuthMin = 0, azimuthMax = 60
    /// The radius offset z of both views (CustomNet: 0).
    public var radius = 0.0
    /// Output canvas side and the object's long side on it (zero123 input framing: 256 / 200).
    public var canvas = 256, longSide = 200
    /// Render backend: square render size and supersampling of the views before framing.
    public var renderSize = 256, supersampling = 2

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SynthesizeConfig()
        backend = try c.decodeIfPresent(SynthesisBackendName.self, forKey: .backend) ?? d.backend
        polarMin = try c.decodeIfPresent(Int.self, forKey: .polarMin) ?? d.polarMin
        polarMax = try c.decodeIfPresent(Int.self, forKey: .polarMax) ?? d.polarMax
        azimuthMin = try c.decodeIfPresent(Int.self, forKey: .azimuthMin) ?? d.azimuthMin
        azimuthMax = try c.decodeIfPresent(Int.self, forKey: .azimuthMax) ?? d.azimuthMax
        radius = try c.decodeIfPresent(Double.self, forKey: .radius) ?? d.radius
        canvas = try c.decodeIfPresent(Int.self, forKey: .canvas) ?? d.canvas
        longSide = try c.decodeIfPresent(Int.self, forKey: .longSide) ?? d.longSide
        renderSize = try c.decodeIfPresent(Int.self, forKey: .renderSize) ?? d.renderSize
        supersampling = try c.decodeIfPresent(Int.self, forKey: .supersampling) ?? d.supersampling
    }

    /// The accepted keys.
    public static var acceptedKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case backend, radius, canvas, supersampling
        case polarMin = "polar_min", polarMax = "polar_max", azimuthMin = "azimuth_min", azimuthMax = "azimuth_max"
        case longSide = "long_side", renderSize = "render_size"
    }

    /// Checks ranges, naming the field to fix.
    public func validated() throws -> SynthesizeConfig {
        func fail(_ text: String) -> ConfigError { ConfigError(message: "step 'synthesize': " + text) }
        guard polarMax > polarMin else { throw fail("polar_max must exceed polar_min (got [\(polarMin), \(polarMax)))") }
        guard azimuthMax > azimuthMin else { throw fail("azimuth_max must exceed azimuth_min (got [\(azimuthMin), \(azimuthMax)))") }
        guard (-180...180).contains(polarMin), (-180...180).contains(polarMax) else { throw fail("polar range must lie in [-180, 180]") }
        guard canvas >= 16, longSide >= 1, longSide <= canvas else { throw fail("need 1 <= long_side <= canvas (got \(longSide), \(canvas))") }
        guard (1...8).contains(supersampling), renderSize >= 16 else { throw fail("render_size >= 16 and supersampling 1...8") }
        return self
    }
}

/// The view-synthesis backends (the `backend:` key of the synthesize step).
public enum SynthesisBackendName: String, ConfigChoice {
    /// Exact views of objects with a known mesh and pose (the fixture's objects).
    case render
    /// The view-conditioned diffusion model (ships with the model).
    case diffusion
}

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

/// The `render` backend: exact views of objects whose mesh and photo camera are known (the
/// fixture's objects), rendered with the project's rasteriser.
///
/// How the offset is applied, in zero123's spherical convention (customnet.md section 3): the
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

    public func view(of subject: SynthesisSubject, delta: ViewDelta) throws -> RGBAImage {
        guard let mesh = subject.mesh else {
            throw SynthesisError(.noBackendView, message: "render backend needs a known mesh; use the diffusion backend when it ships (object \(subject.objectID) has no object_mesh row)")
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

/// `cn-synthesize`: gives every extracted object its two novel views (x, y, z) and (-x, -y, -z)
/// through a `ViewSynthesisBackend`, writes `synthesize/{object}/view_0.png` and `view_1.png`
/// (256x256, long side 200 on white) and records them as `novel_view` rows (the sample's
/// reference; `cn-shard` records the INVERSE of the view's offset as T).
public struct SynthesizeStage: Stage {
    public let name = "synthesize"
    public let config: SynthesizeConfig
    public let backend: any ViewSynthesisBackend

    public init(config: SynthesizeConfig, backend: (any ViewSynthesisBackend)? = nil) throws {
        self.config = config
        self.backend = try backend ?? SynthesisBackends.make(config)
    }

    /// The two offsets of an item, drawn from its random stream: x then y.
    public static func sampleViews(_ config: SynthesizeConfig, random: inout SeededRandom) -> [ViewDelta] {
        let x = config.polarMin + random.integer(below: config.polarMax - config.polarMin)
        let y = config.azimuthMin + random.integer(below: config.azimuthMax - config.azimuthMin)
        return [ViewDelta(polarDegrees: Double(x), azimuthDegrees: Double(y), radius: config.radius),
                ViewDelta(polarDegrees: Double(-x), azimuthDegrees: Double(-y), radius: 0 - config.radius)]
    }

    public func listItems(_ context: StageContext) throws -> [String] {
        try context.manifest.read { db in try ExtractionRecord.allObjectIDs(db) }
    }

    /// Objects follow their photo (object ids are `{ImageID}_{label}_{BoxID}`), so a partition
    /// holds whole photos and their captions.
    public func partitionKey(_ item: String) -> String? { String(item.prefix { $0 != "_" }) }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        let row = try item.stage.manifest.read { db in try SynthesisSource.find(db, objectID: item.key) }
        guard let row else { throw SynthesisError(.notInManifest, message: "object \(item.key) has no extraction; run cn-extract") }
        var mesh: KnownMesh?
        if let path = row.mesh, let text = row.worldToCamera {
            let values = (try? JSONDecoder().decode([Double].self, from: Data(text.utf8))) ?? []
            guard let pose = WorldToCamera(rowMajor3x4: values) else {
                throw SynthesisError(.badPose, message: "object_mesh.world_to_camera of \(item.key) is not 12 numbers")
            }
            mesh = KnownMesh(path: path, worldToCamera: pose)
        }
        let subject = SynthesisSubject(objectID: item.key, reference: item.url(row.referencePNG).path, mesh: mesh)
        let deltas = Self.sampleViews(config, random: &item.random)
        var records: [any ItemRecord] = []
        var images: [[UInt8]] = []
        for delta in deltas { images.append(try PNG.encodeOpaque(try backend.view(of: subject, delta: delta))) }
        for (index, delta) in deltas.enumerated() {
            let path = "\(name)/\(item.key)/view_\(index).png"
            try item.write(images[index], to: path)
            records.append(NovelViewRecord(objectID: item.key, index: index, image: path, polarDegrees: delta.polarDegrees,
                                           azimuthDegrees: delta.azimuthDegrees, radius: delta.radius, backend: backend.name))
        }
        return .done(records)
    }
}

/// A view that cannot be synthesised, with the kind naming why.
public struct SynthesisError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings stored in manifests
    /// (pinned by a test: renaming one is a change of the manifest's vocabulary).
    public enum Reason: String, Sendable, CaseIterable {
        case badPose = "bad-pose"
        case emptyView = "empty-view"
        case noBackendView = "no-backend-view"
        case notInManifest = "not-in-manifest"
        case poseOutOfRange = "pose-out-of-range"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// What is wrong.
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Creates an error of a class with its message.
    public init(_ reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }
}
