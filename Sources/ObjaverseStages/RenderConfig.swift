import Foundation
import Pipeline

/// The `render` step's settings (Pipelines/*.yaml `config:`), defaulting to Zero-1-to-3's
/// renders (Zero-1-to-3, arXiv:2303.11328 and github.com/cvlab-columbia/zero123 objaverse-rendering/scripts/blender_script.py): 12 views, random cameras on the sphere at radius
/// U(1.5, 2.2), 35 mm lens on a 32 mm sensor; 256 px output as CustomNet trains at.
public struct RenderConfig: StageConfiguration, Equatable {
    /// Views per asset.
    public var views = 12
    /// Output size in pixels (256 by default, 512 as zero123 renders).
    public var resolution = 256
    /// How cameras are placed around the asset.
    public var cameras = CameraMode.random
    /// Ring mode: elevation above the horizon, degrees.
    public var ringElevation = 30.0
    /// Ring mode: camera distance.
    public var ringRadius = 1.85
    /// Supersampling factor per axis (anti-aliasing).
    public var supersampling = 2
    /// Seconds allowed per asset before it is failed (objaverse-xl uses 300).
    public var timeLimit = 300.0
    /// Largest accepted file, MiB.
    public var maxFileMiB = 512.0
    /// Largest accepted triangle count.
    public var maxTriangles = 2_000_000

    /// The defaults.
    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RenderConfig()
        views = try c.decodeIfPresent(Int.self, forKey: .views) ?? d.views
        resolution = try c.decodeIfPresent(Int.self, forKey: .resolution) ?? d.resolution
        cameras = try c.decodeIfPresent(CameraMode.self, forKey: .cameras) ?? d.cameras
        ringElevation = try c.decodeIfPresent(Double.self, forKey: .ringElevation) ?? d.ringElevation
        ringRadius = try c.decodeIfPresent(Double.self, forKey: .ringRadius) ?? d.ringRadius
        supersampling = try c.decodeIfPresent(Int.self, forKey: .supersampling) ?? d.supersampling
        timeLimit = try c.decodeIfPresent(Double.self, forKey: .timeLimit) ?? d.timeLimit
        maxFileMiB = try c.decodeIfPresent(Double.self, forKey: .maxFileMiB) ?? d.maxFileMiB
        maxTriangles = try c.decodeIfPresent(Int.self, forKey: .maxTriangles) ?? d.maxTriangles
    }

    /// Checks ranges, naming the field to fix (the checks `StageConfig.decode` runs at start).
    public func validated() throws -> RenderConfig {
        try validate(ConfigCheck(step: "render"))
        return self
    }

    /// Every setting within its range: a time limit or file size of 0, a NaN radius, a negative
    /// triangle cap would otherwise fail every asset or trap.
    public func validate(_ check: ConfigCheck) throws {
        try check.integer(CodingKeys.views.rawValue, views, in: 1...1000)
        try check.require([64, 128, 256, 512, 1024].contains(resolution), CodingKeys.resolution.rawValue,
                          "must be 64, 128, 256, 512 or 1024 (got \(resolution))")
        try check.integer(CodingKeys.supersampling.rawValue, supersampling, in: 1...8)
        try check.number(CodingKeys.ringElevation.rawValue, ringElevation, in: -90...90)
        try check.positive(CodingKeys.ringRadius.rawValue, ringRadius, atMost: 1000)
        try check.positive(CodingKeys.timeLimit.rawValue, timeLimit, atMost: 604_800)
        try check.positive(CodingKeys.maxFileMiB.rawValue, maxFileMiB, atMost: 1_048_576)
        try check.integer(CodingKeys.maxTriangles.rawValue, maxTriangles, in: 1...1_000_000_000)
    }

    /// The accepted keys.
    public static var acceptedKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case views, resolution, cameras, supersampling
        case ringElevation = "ring_elevation", ringRadius = "ring_radius", timeLimit = "time_limit"
        case maxFileMiB = "max_file_mib", maxTriangles = "max_triangles"
    }
}

/// The camera placements of `cn-render` (the `cameras:` key of the render step).
public enum CameraMode: String, ConfigChoice {
    /// Uniform directions on the sphere at radius U(1.5, 2.2) (zero123's renders).
    case random
    /// zero123's script: a point of the cube [-1, 1]^3 normalised, leaning to the corners.
    case zero123Cube = "zero123-cube"
    /// A fixed elevation, even azimuths.
    case ring
}
