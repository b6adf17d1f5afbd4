import Foundation
import Testing
import Geometry
import Assets
import Raster
import Support
import TestSupport

/// Every file under assimp's glTF2/ and invalid/ folders goes through loading and rendering:
/// valid assets render, everything else throws a one-line `AssetError`; nothing crashes or hangs.
@Suite struct AssimpWalkTests {
    static func files() -> [String] {
        var out: [String] = []
        for folder in ["glTF2", "invalid"] {
            let root = TestPaths.assimpModels.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: root.path) else { continue }
            while let relative = walker.nextObject() as? String {
                var isDirectory: ObjCBool = false
                let path = root.appendingPathComponent(relative).path
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    out.append(folder + "/" + relative)
                }
            }
        }
        return out.sorted()
    }

    enum Outcome { case rendered(Int), refused(AssetError) }

    static func attempt(_ relative: String) throws -> Outcome {
        let url = TestPaths.assimpModels.appendingPathComponent(relative)
        do {
            let prepared = try AssetRenderer.prepare(assetAt: url)
            let settings = RenderSettings(width: 64, height: 64, supersampling: 1)
            var covered = 0
            // Four azimuths plus top and bottom, so single-sided planes are seen from their front.
            var rng = SeededRandom(seed: 0)
            var poses = CameraSampling.ring(elevationsDegrees: [10], radius: 2).poses(count: 4, rng: &rng)
            poses += [CameraPose.lookAt(location: Vec3(0, 0, 2)), CameraPose.lookAt(location: Vec3(0, 0, -2))]
            for pose in poses {
                let image = AssetRenderer.render(prepared, camera: pose, settings: settings).image
                covered += image.alphaMask().filter { $0 }.count
            }
            return .rendered(covered)
        } catch let error as AssetError {
            return .refused(error)
        }
    }

    @Test func everyFileRendersOrIsRefusedWithOneLine() throws {
        let files = Self.files()
        #expect(files.count > 100)
        var rendered: [String] = [], refused: [String: String] = [:]
        for relative in files {
            let start = Date()
            let outcome: Outcome
            do {
                outcome = try Self.attempt(relative)
            } catch {
                Issue.record("\(relative): threw a non-AssetError \(type(of: error)): \(error)")
                continue
            }
            let seconds = Date().timeIntervalSince(start)
            #expect(seconds < 20, "\(relative) took \(seconds) s")
            switch outcome {
            case .rendered(let covered):
                rendered.append(relative)
                #expect(covered > 0, "\(relative) rendered nothing")
                if covered == 0 { print("ASSIMP-WALK empty \(relative)") }
            case .refused(let error):
                refused[relative] = error.kind
                #expect(!error.message.contains("\n") && !error.message.isEmpty && !error.kind.isEmpty)
            }
        }
        let mustRender = ["glTF2/BoxTextured-glTF-Binary/BoxTextured.glb", "glTF2/BoxTextured-glTF/BoxTextured.gltf",
                          "glTF2/BoxTextured-glTF-Embedded/BoxTextured.gltf", "glTF2/BoxTextured-glTF-pbrSpecularGlossiness/BoxTextured.gltf",
                          "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", "glTF2/textureTransform/TextureTransformTest.gltf",
                          "glTF2/BoxTexcoords-glTF/boxTexcoords.gltf", "glTF2/ClearCoat-glTF/ClearCoatTest.gltf"]
        for f in mustRender { #expect(rendered.contains(f), "\(f) should render, got \(refused[f] ?? "nothing")") }
        let mustRefuse = ["glTF2/draco/2CylinderEngine.gltf": "unsupported-extension",
                          "glTF2/RecursiveNodes/RecursiveNodes.gltf": "bad-node-hierarchy",
                          "glTF2/IndexOutOfRange/IndexOutOfRange.gltf": "bad-index",
                          "glTF2/BoxWithInfinites-glTF-Binary/BoxWithInfinites.glb": "non-finite-data",
                          "glTF2/MissingBin/BoxTextured.gltf": "missing-file",
                          "invalid/empty.ply": "bad-ply", "invalid/empty.obj": "not-a-mesh",
                          "invalid/OutOfMemory.off": "unsupported-format"]
        for (f, kind) in mustRefuse { #expect(refused[f] == kind, "\(f): expected \(kind), got \(refused[f] ?? "success")") }
        print("ASSIMP-WALK rendered \(rendered.count), refused \(refused.count)")
        for r in rendered { print("ASSIMP-WALK ok \(r)") }
        for (f, k) in refused.sorted(by: { $0.key < $1.key }) { print("ASSIMP-WALK refused[\(k)] \(f)") }
    }
}
