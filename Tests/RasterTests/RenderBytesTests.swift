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

    /// Colour, mask and depth SHA-256 of views 0 and 1 of `cn-bench-render --dump` in one setup.
    struct PinnedSetup: Sendable, CustomTestStringConvertible {
        let resolution: Int, supersampling: Int, minRadius: Double, maxRadius: Double
        let expected: [(rgba: String, mask: String, depth: String)]
        var testDescription: String { "\(resolution) px, \(supersampling)x\(supersampling), radius \(minRadius)-\(maxRadius)" }
    }

    /// Two more setups, pinned before the triangle setup was shared between binning and scan
    /// (commit 9fdb3f1): close cameras (the engine fills and leaves the frame; view 1 clips 45k of
    /// its triangles at the near plane) at 128 px, and 3x3 supersampling at 100 px (sample rows of a band not a
    /// multiple of the lane count, triangles binned by sample rows).
    static let pinned: [PinnedSetup] = [
        PinnedSetup(resolution: 128, supersampling: 2, minRadius: 0.15, maxRadius: 0.9, expected: [
            ("38df2fe9bcae8764bf5568be5eb6ec2bb53d67304d1c17a2f50d8c421a2113e4",
             "0fbba07a833d4dcfc7024eaf313661a0ba8f80a05c6d29b8801c612e10e60dee",
             "2bc1ab34e874010bef86a62e5ca592d34a540a7657a5b359078306af0e9fe18e"),
            ("12cbeb28e130ee486a3db982930409fb3c9235ea12cae9e2727483504f4bb35e",
             "e6e066cf23d3a13c26fa4bdb691b91ab1fb5f34fdcd58957bd5772fe43db85d6",
             "887bffbce1f56d7857eacd76e8c05a23815c296a172cf0e21da8f8e263fde2d2"),
        ]),
        PinnedSetup(resolution: 100, supersampling: 3, minRadius: 1.5, maxRadius: 2.2, expected: [
            ("a49fc823c742752d78ec90f03fa1800bcb082144fd9e4270a5a1c2904b370380",
             "5e48606985536f6ad1d73bde5d91f4bdaa483b4efbe1f817c6809b9d344b966d",
             "52ea2820a5e1ba966fd4983f52e92efd2f69f09c7b787f4d839311660e959fd2"),
            ("d493c63ba97321893ff09fc27cf382c4a628fc47e570baa9839dd5fe290869cb",
             "b24dd2c5ef55a80095f6204bc4cd958cff6c1478c7071a85d1eeff4ad96f49a7",
             "bcd531fe7bac9d73139dc301568f20272a02f56445035103cb0dd5bf2684cccc"),
        ]),
    ]

    @Test(arguments: pinned)
    func engineViewsKeepTheirBytesCloseAndSupersampled(setup: PinnedSetup) throws {
        let engine = TestPaths.assimpModels.appendingPathComponent("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb")
        let prepared = try AssetRenderer.prepare(assetAt: engine)
        var rng = SeededRandom(seed: 7)
        let poses = CameraSampling.zero123Random(minRadius: setup.minRadius, maxRadius: setup.maxRadius).poses(count: 6, rng: &rng)
        for threads in [1, 2] {
            let settings = RenderSettings(width: setup.resolution, height: setup.resolution, supersampling: setup.supersampling,
                                          threads: threads, wantDepth: true, wantMask: true)
            for (view, hashes) in setup.expected.enumerated() {
                let out = AssetRenderer.render(prepared, camera: poses[view], settings: settings)
                #expect(SHA256.hex(out.image.pixels) == hashes.rgba, "view \(view) colour, \(threads) thread(s)")
                #expect(SHA256.hex(out.mask ?? []) == hashes.mask, "view \(view) mask, \(threads) thread(s)")
                #expect((out.depth ?? []).withUnsafeBytes { SHA256.hex($0) } == hashes.depth, "view \(view) depth, \(threads) thread(s)")
            }
        }
    }
}
