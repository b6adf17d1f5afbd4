import Foundation
import Testing
import Geometry
import Assets
import Raster
import Support
import TestSupport

@Suite struct GetTInteropTests {
    @Test func numpyGetTMatchesSwift() throws {
        let python = try Python.interpreter(importing: ["numpy"])
        // Render real views and save their poses the way zero123 does ({i:03d}.npy, float32 3x4).
        let folder = TestPaths.scratchFolder("get-t")
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SeededRandom(seed: 2024)
        let asset = TestPaths.assimpModels.appendingPathComponent("glTF2/BoxTextured-glTF-Binary/BoxTextured.glb")
        let rendered = try AssetRenderer.render(assetAt: asset, views: 8, resolution: 32, rng: &rng, texturePolicy: .skip)
        #expect(rendered.views.count == 8)
        for view in rendered.views {
            try Data(view.worldToCamera.npyFloat32).write(to: folder.appendingPathComponent(String(format: "%03d.npy", view.index)))
        }
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/interop/get_T.py").path
        let result = try ProcessRunner.run(python, [script, folder.path])
        try #require(result.status == 0, "get_T.py failed: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let pairs = try #require(json["pairs"] as? [[Any]])
        #expect(pairs.count == 64)
        // Swift get_T on the same (float32) matrices read back from the .npy files.
        var poses: [WorldToCamera] = []
        for i in 0..<8 {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(String(format: "%03d.npy", i))))
            let (values, shape) = try NPY.decode(bytes)
            #expect(shape == [3, 4])
            poses.append(try #require(WorldToCamera(rowMajor3x4: values)))
        }
        var worst = 0.0
        for pair in pairs {
            let i = (pair[0] as! NSNumber).intValue, j = (pair[1] as! NSNumber).intValue
            let theirs = (pair[2] as! [NSNumber]).map(\.doubleValue)
            let ours = RelativePose(zero123Target: poses[i], condition: poses[j]).components
            for k in 0..<4 { worst = max(worst, abs(ours[k] - theirs[k])) }
            // And the double-precision poses the renderer used agree with the saved float32 ones.
            let exact = RelativePose(zero123Target: rendered.views[i].worldToCamera, condition: rendered.views[j].worldToCamera).components
            for k in 0..<4 { #expect(abs(exact[k] - theirs[k]) < 1e-5) }
        }
        #expect(worst < 1e-5, "largest get_T difference \(worst)")
    }
}
