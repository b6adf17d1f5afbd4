import Foundation
import Support

/// A 3x4 world-to-camera matrix [R | t] in Blender camera axes (the camera looks down its -Z,
/// +Y is up in the image), exactly what zero123's `blender_script.py` saves per view as
/// `{i:03d}.npy`: R = rotation^T (rotation = camera-to-world), t = -R * location.
public struct WorldToCamera: Equatable, Sendable {
    /// R: rows are the camera's X, Y, Z axes in world coordinates.
    public var rotation: Mat3
    /// t = -R * camera location.
    public var translation: Vec3

    public init(rotation: Mat3, translation: Vec3) {
        self.rotation = rotation
        self.translation = translation
    }

    /// Reads a 3x4 row-major matrix (12 values, e.g. decoded from a `.npy` of shape (3, 4)).
    public init?(rowMajor3x4 v: [Double]) {
        guard v.count == 12, v.allSatisfy(\.isFinite) else { return nil }
        rotation = Mat3(rows: Vec3(v[0], v[1], v[2]), Vec3(v[4], v[5], v[6]), Vec3(v[8], v[9], v[10]))
        translation = Vec3(v[3], v[7], v[11])
    }

    /// The 12 values in row-major order, as the (3, 4) `.npy` stores them.
    public var rowMajor3x4: [Double] {
        [rotation.r0.x, rotation.r0.y, rotation.r0.z, translation.x,
         rotation.r1.x, rotation.r1.y, rotation.r1.z, translation.y,
         rotation.r2.x, rotation.r2.y, rotation.r2.z, translation.z]
    }

    /// The camera position in the world, -R^T t (zero123's `get_T`).
    public var cameraLocation: Vec3 { -(rotation.transposed * translation) }

    /// Maps a world point into camera coordinates (camera looks down -Z).
    @inlinable public func apply(_ p: Vec3) -> Vec3 { rotation * p + translation }

    /// The `.npy` bytes (float32, shape (3, 4)), the Zero-1-to-3 pose file format.
    public var npyFloat32: [UInt8] { NPY.encode(float32: rowMajor3x4.map { Float($0) }, shape: [3, 4]) }
}

/// A camera pose: location plus camera-to-world rotation whose columns are the camera's X
/// (right), Y (up) and Z (backwards: the camera looks down -Z) axes, as Blender stores cameras.
public struct CameraPose: Equatable, Sendable {
    public var location: Vec3
    /// Camera-to-world rotation (Blender's `matrix_world.to_3x3()` of the camera).
    public var rotation: Mat3

    public init(location: Vec3, rotation: Mat3) {
        self.location = location
        self.rotation = rotation
    }

    /// A camera at `location` looking at `target` with world `up` (default +Z) kept upright,
    /// as Blender's TRACK_TO constraint (track -Z, up Y) used by zero123's script orients it.
    /// When the view direction is parallel to `up`, the camera's up axis becomes world +Y
    /// (looking down) or -Y (looking up) so the result stays a proper rotation.
    public static func lookAt(location: Vec3, target: Vec3 = .zero, up: Vec3 = Vec3(0, 0, 1)) -> CameraPose {
        let forward = (target - location).normalized
        var right = forward.cross(up)
        if right.length < 1e-12 {
            right = forward.cross(Vec3(0, 1, 0))
            if right.length < 1e-12 { right = forward.cross(Vec3(1, 0, 0)) }
        }
        right = right.normalized
        let back = -forward
        let camUp = back.cross(right).normalized
        return CameraPose(location: location, rotation: Mat3(columns: right, camUp, back))
    }

    /// The world-to-camera [R | t] zero123 saves: R = rotation^T, t = -R * location.
    public var worldToCamera: WorldToCamera {
        let r = rotation.transposed
        return WorldToCamera(rotation: r, translation: -(r * location))
    }

    /// Recovers the pose from a saved world-to-camera matrix.
    public init(worldToCamera w: WorldToCamera) {
        rotation = w.rotation.transposed
        location = w.cameraLocation
    }

    /// The spherical coordinates of the camera location.
    public var spherical: SphericalCoordinates { SphericalCoordinates(cartesian: location) }
}

// MARK: - Spherical coordinates and viewpoint sampling
/// Spherical coordinates as zero123's `cartesian_to_spherical` defines them: polar angle from +Z
/// (`atan2(sqrt(x^2 + y^2), z)`), azimuth `atan2(y, x)` in (-π, π], radius |p|.
public struct SphericalCoordinates: Equatable, Sendable {
    public var polar: Double
    public var azimuth: Double
    public var radius: Double

    public init(polar: Double, azimuth: Double, radius: Double) {
        self.polar = polar
        self.azimuth = azimuth
        self.radius = radius
    }

    public init(cartesian p: Vec3) {
        let xy = p.x * p.x + p.y * p.y
        radius = (xy + p.z * p.z).squareRoot()
        polar = atan2(xy.squareRoot(), p.z)
        azimuth = atan2(p.y, p.x)
    }

    /// Elevation above the XY plane (π/2 - polar).
    public var elevation: Double { Double.pi / 2 - polar }

    public var cartesian: Vec3 {
        Vec3(radius * sin(polar) * cos(azimuth), radius * sin(polar) * sin(azimuth), radius * cos(polar))
    }
}

/// How render cameras are chosen.
public enum CameraSampling: Equatable, Sendable {
    /// Zero-1-to-3's renders as the paper describes them: a direction uniform on the whole sphere
    /// (normalised Gaussian), radius U(min, max) (default 1.5 ... 2.2), looking at the origin.
    case zero123Random(minRadius: Double = 1.5, maxRadius: Double = 2.2)
    /// zero123's actual `sample_spherical(1.5, 2.2, maxz=2.2, minz=-2.2)`: a vector uniform in the
    /// cube [-1, 1]^3, normalised (so directions lean towards the cube's corners, not uniform on the
    /// sphere), times a radius U(min, max). Draws three uniforms then one uniform per view.
    case zero123Cube(minRadius: Double = 1.5, maxRadius: Double = 2.2)
    /// A fixed ring per elevation (degrees above the XY plane): `views` azimuths evenly spaced
    /// from `startAzimuth` (degrees), all at `radius`, looking at the origin. Views are split
    /// evenly across the elevations (the first ones get the remainder).
    case ring(elevationsDegrees: [Double], radius: Double = 2.0, startAzimuthDegrees: Double = 0)

    /// The default: `zero123Random(1.5, 2.2)`.
    public static let zero123 = CameraSampling.zero123Random()

    /// Draws `count` camera poses. Random modes draw from `rng` in a fixed order (per view:
    /// three normals for the direction, then one uniform for the radius).
    public func poses(count: Int, rng: inout SeededRandom) -> [CameraPose] {
        switch self {
        case let .zero123Random(minRadius, maxRadius):
            return (0..<count).map { _ in
                var d = Vec3.zero
                repeat { d = Vec3(rng.normal(), rng.normal(), rng.normal()) } while d.length < 1e-9
                let r = rng.uniform(minRadius, maxRadius)
                return CameraPose.lookAt(location: d.normalized * r)
            }
        case let .zero123Cube(minRadius, maxRadius):
            return (0..<count).map { _ in
                var d = Vec3.zero
                repeat { d = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)) } while d.length < 1e-9
                let r = rng.uniform(minRadius, maxRadius)
                return CameraPose.lookAt(location: d.normalized * r)
            }
        case let .ring(elevations, radius, start):
            let rings = elevations.isEmpty ? [0.0] : elevations
            var poses: [CameraPose] = []
            let base = count / rings.count, extra = count % rings.count
            for (i, elevation) in rings.enumerated() {
                let n = base + (i < extra ? 1 : 0)
                for k in 0..<n {
                    let az = (start + 360.0 * Double(k) / Double(n)) * Double.pi / 180
                    let polar = (90 - elevation) * Double.pi / 180
                    let p = SphericalCoordinates(polar: polar, azimuth: az, radius: radius).cartesian
                    poses.append(CameraPose.lookAt(location: p))
                }
            }
            return poses
        }
    }
}

// MARK: - Intrinsics
/// A pinhole camera's intrinsics, Blender style: focal length and sensor width in millimetres,
/// sensor fit AUTO (the sensor width spans the larger image side).
public struct CameraIntrinsics: Equatable, Sendable {
    /// Focal length in mm (zero123: 35).
    public var focalLength: Double
    /// Sensor width in mm (Blender's default and zero123: 32).
    public var sensorWidth: Double
    /// Near clip distance (Blender default 0.1).
    public var clipStart: Double
    /// Far clip distance (Blender default 100).
    public var clipEnd: Double

    public init(focalLength: Double = 35, sensorWidth: Double = 32, clipStart: Double = 0.1, clipEnd: Double = 100) {
        self.focalLength = focalLength
        self.sensorWidth = sensorWidth
        self.clipStart = clipStart
        self.clipEnd = clipEnd
    }

    /// Zero-1-to-3's camera: 35 mm lens on a 32 mm sensor (horizontal FOV ≈ 49.13°).
    public static let zero123 = CameraIntrinsics()

    /// Creates intrinsics with the given field of view (radians) across the larger image side.
    public init(fieldOfView: Double) {
        self.init(focalLength: 16 / tan(fieldOfView / 2), sensorWidth: 32)
    }

    /// Field of view across the larger image side, in radians.
    public var fieldOfView: Double { 2 * atan(sensorWidth / 2 / focalLength) }

    /// Focal length in pixels for an image of `width` x `height` (sensor fit AUTO).
    public func focalPixels(width: Int, height: Int) -> Double {
        Double(max(width, height)) * focalLength / sensorWidth
    }
}
