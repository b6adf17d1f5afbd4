import Foundation
import Geometry
import Imaging
import Assets
import Support

/// The light of a view: zero123's blender_script (`randomize_lighting`) uses one large area light
/// per object (scale 100), energy U(300, 600), position x, y ~ U(-1, 1), z ~ U(0.5, 1.5) above the
/// object. This renderer treats it as a point light for Lambertian diffuse shading plus an
/// ambient term (an approximation: masks and poses are exact, shading is not Cycles').
public struct Light: Sendable, Equatable {
    /// Blender watts; shading strength = energy / 450.
    public var energy: Double
    public var location: Vec3

    public init(energy: Double, location: Vec3) {
        self.energy = energy
        self.location = location
    }

    /// energy 450 at (0, 0, 2).
    public static let standard = Light(energy: 450, location: Vec3(0, 0, 2))

    /// Draws a light as zero123's `randomize_lighting` does (energy, then x, y, z).
    public static func zero123Random(rng: inout SeededRandom) -> Light {
        let energy = rng.uniform(300, 600)
        let x = rng.uniform(-1, 1), y = rng.uniform(-1, 1), z = rng.uniform(0.5, 1.5)
        return Light(energy: energy, location: Vec3(x, y, z))
    }
}

/// How a view is rendered. Every field has a documented default.
public struct RenderSettings: Sendable, Equatable {
    /// Output size in pixels (default 256 x 256).
    public var width: Int
    public var height: Int
    /// Camera lens (default zero123's 35 mm on a 32 mm sensor, horizontal FOV 49.1°).
    public var intrinsics: CameraIntrinsics
    /// Samples per pixel along each axis (default 2: 2x2 supersampling; 1 = none, 4 = 4x4).
    public var supersampling: Int
    /// Threads used for one view (default 1: stage runners already run items in parallel).
    public var threads: Int
    /// Ambient share of the shading, 0...1 (default 0.35).
    public var ambient: Float
    /// The light (default `Light.standard`).
    public var light: Light
    /// Also return a depth map (camera-space distance along the view axis, 0 = background).
    public var wantDepth: Bool
    /// Also return a coverage mask (0...255).
    public var wantMask: Bool

    public init(width: Int = 256, height: Int = 256, intrinsics: CameraIntrinsics = .zero123, supersampling: Int = 2,
                threads: Int = 1, ambient: Float = 0.35, light: Light = .standard, wantDepth: Bool = false, wantMask: Bool = false) {
        self.width = width
        self.height = height
        self.intrinsics = intrinsics
        self.supersampling = supersampling
        self.threads = threads
        self.ambient = ambient
        self.light = light
        self.wantDepth = wantDepth
        self.wantMask = wantMask
    }
}


/// One rendered view.
public struct RenderOutput: Sendable {
    public var image: RGBAImage
    /// width * height depths (0 = background) when asked for.
    public var depth: [Float]?
    /// width * height coverage bytes when asked for.
    public var mask: [UInt8]?
}
