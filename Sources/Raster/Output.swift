import Foundation
import Imaging
import Support
import Geometry
import Assets

extension RGBAImage {
    /// PNG bytes (RGBA, transparent background) through Imaging's encoder.
    public func pngBytes() throws -> [UInt8] { try PNG.encode(self) }

    /// Alpha > threshold as booleans, row-major (a render's coverage).
    public func alphaMask(threshold: UInt8 = 127) -> [Bool] {
        (0..<(width * height)).map { pixels[$0 * 4 + 3] > threshold }
    }
}

extension RenderedAsset {
    /// Writes the views in zero123's layout into `folder`: `{i:03d}.png` (RGBA) and `{i:03d}.npy`
    /// (float32 3x4 world-to-camera). Each file is written atomically and durably unless
    /// `durable` is false: a staging folder that is fsynced and published whole afterwards
    /// (`AtomicFile.publishFolder`) needs no per-file fsync. Returns the written file names.
    @discardableResult
    public func writeZero123Views(to folder: String, durable: Bool = true) throws -> [String] {
        var names: [String] = []
        for view in views {
            let stem = String(format: "%03d", view.index)
            for (name, bytes) in [(stem + ".png", try view.image.pngBytes()), (stem + ".npy", view.worldToCamera.npyFloat32)] {
                if durable {
                    try AtomicFile.write(bytes, to: folder + "/" + name)
                } else {
                    try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
                }
                names.append(name)
            }
        }
        return names
    }

    /// A JSON-ready summary for manifests: triangle count, bounds before normalisation, scale,
    /// offset, light, camera, and per view the pose and spherical coordinates.
    public var metadata: [String: Any] {
        let n = normalization
        return [
            "triangles": triangleCount, "format": format,
            "bounds_before": [n.boundsBefore.min.array, n.boundsBefore.max.array],
            "scale": n.scale, "offset": n.offset.array,
            "light": ["energy": light.energy, "location": light.location.array],
            "camera": ["lens_mm": settings.intrinsics.focalLength, "sensor_mm": settings.intrinsics.sensorWidth,
                       "fov_deg": settings.intrinsics.fieldOfView * 180 / Double.pi,
                       "width": settings.width, "height": settings.height, "supersampling": settings.supersampling],
            "views": views.map { v in
                ["index": v.index, "rt": v.worldToCamera.rowMajor3x4, "polar": v.spherical.polar,
                 "azimuth": v.spherical.azimuth, "radius": v.spherical.radius] as [String: Any]
            },
            "seconds": seconds,
        ]
    }
}
