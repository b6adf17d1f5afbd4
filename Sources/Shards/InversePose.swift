import Foundation

/// The pose condition of an Open Images ("reverse") sample: the view-synthesis model rendered the
/// reference at (x polar, y azimuth in degrees, z radius) away from the photo, so the condition
/// from reference back to the photo is the inverse, T = [rad(-x), sin rad(-y), cos rad(-y), -z]
/// (TencentARC/CustomNet data/dataset.py; reference/customnet.md section 2).
public enum InversePose {
    /// T for a reference synthesised at view (x, y, z) of CustomNet's meta.json "view".
    public static func condition(polarDegrees x: Double, azimuthDegrees y: Double, radius z: Double) -> PoseVector {
        let polar = (-x) * (Double.pi / 180), azimuth = (-y) * (Double.pi / 180)
        return PoseVector(polar: polar, azimuthSin: sin(azimuth), azimuthCos: cos(azimuth), radius: -z)
    }
}
