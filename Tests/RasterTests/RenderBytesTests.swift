import Foundation
import Testing
import Geometry
import Assets
import Imaging
import Raster
import Support
import TestSupport

/// Speed work on the rasteriser must not change a byte: two views of the 110k-triangle
/// 2CylinderEngine (the cameras and settings of `cn-bench-render --views 6 --dump`) against the
/// SHA-256 of the colour, mask and depth bytes the renderer produced before it (commit 493fd0e),
/// on one and two threads.
@Suite struct RenderBytesTests {
    static let expected: [(rgba: String, mask: String, depth: String)] = [
        ("0b27dfa9b87332545109dbebcb633ff647003ea1d34dcec8adeb33d53ee9c8fa",
         "b06b332993ed60c763deee83826942c96b2311ec7649266bd8bf496e8439cf1b",
         "508fbc4706ac27ca6e38739328adfd9f0df4a5a82a3357af5bafed6c14af8cc7"),
        ("fcebf2cc7e649d10357c469dac789dafd49e08246b3fcca7898788a2cbe3057d",
         "f345e7099e9d13f3cc84ed4b53de8aec67e8da35013ea196cd024fa07583375b",
         "778724b5b88cdfa20df64a6cea70df75b22e1847006c168d9bcc67e587608657"),
    ]

    @Test(arguments: [1, 2])
    func engineViewsKeepTheirBytes(threads: Int) throws {
        let engine = TestPaths.assimpModels.appendingPathComponent("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb")
        let prepared = try AssetRenderer.prepare(assetAt: engine)
        var rng = SeededRandom(seed: 7)
        let poses = CameraSampling.zero123.poses(count: 6, rng: &rng)
        let settings = RenderSettings(width: 256, height: 256, supersampling: 2, threads: threads, wantDepth: true, wantMask: true)
        for (view, hashes) in Self.expected.enumerated() {
            let out = AssetRenderer.render(prepared, camera: poses[view], settings: settings)
            #expect(SHA256.hex(out.image.pixels) == hashes.rgba, "view \(view) colour")
            #expect(SHA256.hex(out.mask ?? []) == hashes.mask, "view \(view) mask")
            #expect((out.depth ?? []).withUnsafeBytes { SHA256.hex($0) } == hashes.depth, "view \(view) depth")
        }
    }
}
