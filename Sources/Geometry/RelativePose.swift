import Foundation

/// Zero-1-to-3's relative pose T = [Δpolar (rad), sin Δazimuth, cos Δazimuth, Δradius] from the
/// conditioning (reference) view to the target view: the condition of every training sample
/// (Liu et al., "Zero-1-to-3", arXiv:2303.11328, section 3.2; zero123/ldm/data/simple.py
/// `get_T(target_RT, cond_RT)` in github.com/cvlab-columbia/zero123). One type for the three ways
/// the project computes it: from two cameras' spherical coordinates, from two world-to-camera
/// matrices as `get_T` does, and as the inverse of a synthesised view's offset (CustomNet).
public struct RelativePose: Sendable, Equatable {
    /// Δpolar in radians.
    public var polar: Double
    /// sin Δazimuth.
    public var azimuthSin: Double
    /// cos Δazimuth.
    public var azimuthCos: Double
    /// Δradius.
    public var radius: Double

    /// Creates the vector from its four components.
    public init(polar: Double, azimuthSin: Double, azimuthCos: Double, radius: Double) {
        self.polar = polar
        self.azimuthSin = azimuthSin
        self.azimuthCos = azimuthCos
        self.radius = radius
    }

    /// The four components in Zero-1-to-3's and CustomNet's order.
    public var components: [Double] { [polar, azimuthSin, azimuthCos, radius] }

    /// T from the reference camera to the target camera, both in zero123's spherical coordinates
    /// (polar from +Z, azimuth atan2(y, x), radius): the differences, azimuth through sin and cos.
    public init(from reference: SphericalCoordinates, to target: SphericalCoordinates) {
        let dAz = target.azimuth - reference.azimuth
        self.init(polar: target.polar - reference.polar, azimuthSin: sin(dAz), azimuthCos: cos(dAz),
                  radius: target.radius - reference.radius)
    }

    /// `get_T(target_RT, cond_RT)` of zero123 on two 3x4 world-to-camera matrices: the cameras'
    /// locations in spherical coordinates, Δazimuth taken modulo 2π as NumPy's `%` does (in [0, 2π)).
    public init(zero123Target target: WorldToCamera, condition: WorldToCamera) {
        let t = SphericalCoordinates(cartesian: target.cameraLocation)
        let c = SphericalCoordinates(cartesian: condition.cameraLocation)
        var dAz = (t.azimuth - c.azimuth).truncatingRemainder(dividingBy: 2 * Double.pi)
        if dAz < 0 { dAz += 2 * Double.pi }
        self.init(polar: t.polar - c.polar, azimuthSin: sin(dAz), azimuthCos: cos(dAz), radius: t.radius - c.radius)
    }

    /// The condition of an Open Images ("reverse") sample: the view-synthesis model rendered the
    /// reference at (x polar, y azimuth in degrees, z radius) away from the photo, so the pose from
    /// reference back to the photo is the inverse, T = [rad(-x), sin rad(-y), cos rad(-y), -z]
    /// (CustomNet's data/dataset.py in github.com/TencentARC/CustomNet).
    public static func inverseOfOffset(polarDegrees x: Double, azimuthDegrees y: Double, radius z: Double) -> RelativePose {
        let polar = (-x) * (Double.pi / 180), azimuth = (-y) * (Double.pi / 180)
        return RelativePose(polar: polar, azimuthSin: sin(azimuth), azimuthCos: cos(azimuth), radius: -z)
    }
}
