// Follows zero123 `ldm/data/simple.py` (get_T) and `gradio_new.py`; CustomNet `main/app.py`.
import Foundation
import Tensor

/// Zero-1-to-3's relative camera condition T = [Δpolar (rad), sin Δazimuth, cos Δazimuth, Δradius]
/// from a view change given in degrees (polar, azimuth) and scene units (radius), as the zero123
/// demo and CustomNet's app build it.
public struct PoseVector: Sendable, Equatable {
    /// Polar change in degrees (positive: camera moves towards the pole).
    public var polarDegrees: Double
    /// Azimuth change in degrees.
    public var azimuthDegrees: Double
    /// Radius change.
    public var radius: Double

    /// A view change.
    public init(polarDegrees: Double, azimuthDegrees: Double, radius: Double) {
        self.polarDegrees = polarDegrees
        self.azimuthDegrees = azimuthDegrees
        self.radius = radius
    }

    /// The four values in zero123's order.
    public var values: [Float] {
        let polar = polarDegrees * .pi / 180, azimuth = azimuthDegrees * .pi / 180
        return [Float(polar), Float(sin(azimuth)), Float(cos(azimuth)), Float(radius)]
    }
}
