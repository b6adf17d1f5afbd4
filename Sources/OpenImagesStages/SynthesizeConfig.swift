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
