import Foundation
import Testing
import Assets
import Raster
import Support
import TestSupport
import Imaging

/// A mesh written by GLBWriter renders exactly like its source: same silhouettes from the same
/// seeded cameras. (A writer that made every object its own root passed triangle round trips
/// but rendered the engine empty: zero123's normalisation scales each root in place.)
@Suite struct GLBRoundTripRenderTests {
    @Test(arguments: ["glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", "OBJ/spider.obj", "PLY/cube.ply"])
    func writtenGLBRendersLikeItsSource(_ path: String) throws {
        let source = TestPaths.assimpModels.appendingPathComponent(path)
        let written = TestPaths.scratchFolder("glb-render").appendingPathComponent("asset.glb")
        try Data(try AssetLoader.convertToGLB(url: source)).write(to: written)
        func coverage(_ url: URL) throws -> [Int] {
            var rng = SeededRandom(seed: 5)
            return try AssetRenderer.render(assetAt: url, views: 3, resolution: 64, rng: &rng, texturePolicy: .skip).views.map { view in
                stride(from: 3, to: view.image.pixels.count, by: 4).filter { view.image.pixels[$0] > 127 }.count
            }
        }
        let expected = try coverage(source)
        #expect(expected.allSatisfy { $0 > 50 }, "the source should be visible: \(expected)")
        let actual = try coverage(written)
        #expect(zip(expected, actual).allSatisfy { abs($0 - $1) <= 2 }, "\(path): source \(expected), written GLB \(actual)")
    }
}
