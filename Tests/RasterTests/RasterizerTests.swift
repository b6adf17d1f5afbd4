import Foundation
import Testing
import Geometry
import Assets
import Imaging
import Raster
import Support
import TestSupport

/// A unit quad in the XY plane facing +Z (counter-clockwise seen from +Z) with one material.
func quadScene(material: Material, alpha: Float = 1) -> Scene {
    let prim = MeshPrimitive(positions: [-0.5, -0.5, 0, 0.5, -0.5, 0, 0.5, 0.5, 0, -0.5, 0.5, 0],
                             colors: [Float](repeating: 0, count: 16).enumerated().map { $0.offset % 4 == 3 ? alpha : 1 },
                             indices: [0, 1, 2, 0, 2, 3], material: 0)
    return Scene(objects: [SceneObject(name: "quad", primitives: [prim], worldTransform: .identity, root: 0)],
                 roots: [.identity], materials: [material], images: [], format: "test")
}

func coverage(_ image: RGBAImage) -> Int { image.alphaMask(threshold: 0).filter { $0 }.count }

@Suite struct RasterizerTests {
    static let box = TestPaths.assimpModels.appendingPathComponent("glTF2/BoxTextured-glTF-Binary/BoxTextured.glb")
    static let engine = TestPaths.assimpModels.appendingPathComponent("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb")

    @Test func sameInputsSameBytesOnAnyThreadCount() throws {
        let prepared = try AssetRenderer.prepare(assetAt: Self.engine)
        let camera = CameraPose.lookAt(location: Vec3(1.2, -1.1, 0.7))
        var settings = RenderSettings(width: 96, height: 96, supersampling: 2, wantDepth: true, wantMask: true)
        let one = AssetRenderer.render(prepared, camera: camera, settings: settings)
        let again = AssetRenderer.render(prepared, camera: camera, settings: settings)
        settings.threads = 2
        let two = AssetRenderer.render(prepared, camera: camera, settings: settings)
        settings.threads = 3
        let three = AssetRenderer.render(prepared, camera: camera, settings: settings)
        #expect(one.image == again.image)
        #expect(one.image == two.image && one.image == three.image)
        #expect(one.depth! == three.depth! && one.mask! == three.mask!)
        #expect(coverage(one.image) > 500)
        // Background stays transparent.
        #expect(one.image.pixels[3] == 0)
    }

    @Test func highLevelRenderIsReproducibleAndWritesZero123Files() throws {
        var a = SeededRandom(seed: 5), b = SeededRandom(seed: 5)
        let first = try AssetRenderer.render(assetAt: Self.box, views: 3, resolution: 48, rng: &a)
        let second = try AssetRenderer.render(assetAt: Self.box, views: 3, resolution: 48, rng: &b)
        #expect(first.views.map(\.image) == second.views.map(\.image))
        #expect(first.light == second.light)
        #expect(first.triangleCount == 12)
        for v in first.views {
            #expect(v.spherical.radius >= 1.5 && v.spherical.radius < 2.2)
            #expect((CameraPose(worldToCamera: v.worldToCamera).location - v.spherical.cartesian).length < 1e-9)
        }
        let folder = TestPaths.scratchFolder("zero123-views")
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = try first.writeZero123Views(to: folder.path)
        #expect(names == ["000.png", "000.npy", "001.png", "001.npy", "002.png", "002.npy"])
        let png = try PNG.decodeRGBA(contentsOf: folder.appendingPathComponent("001.png").path)
        #expect(png.pixels == first.views[1].image.pixels)
        let npy = try NPY.decode([UInt8](try Data(contentsOf: folder.appendingPathComponent("001.npy"))))
        #expect(npy.shape == [3, 4])
        #expect(zip(npy.values, first.views[1].worldToCamera.rowMajor3x4).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(JSONSerialization.isValidJSONObject(first.metadata))
    }

    @Test func texturesAreSampled() throws {
        let camera = CameraPose.lookAt(location: Vec3(1.5, -1.5, 1.0))
        let settings = RenderSettings(width: 64, height: 64, ambient: 1)
        let textured = AssetRenderer.render(try AssetRenderer.prepare(assetAt: Self.box), camera: camera, settings: settings).image
        let plain = AssetRenderer.render(try AssetRenderer.prepare(assetAt: Self.box, texturePolicy: .skip), camera: camera, settings: settings).image
        var texturedColours = Set<UInt32>(), plainColours = Set<UInt32>()
        for i in 0..<(64 * 64) where textured.pixels[i * 4 + 3] == 255 {
            texturedColours.insert(UInt32(textured.pixels[i * 4]) << 16 | UInt32(textured.pixels[i * 4 + 1]) << 8 | UInt32(textured.pixels[i * 4 + 2]))
            plainColours.insert(UInt32(plain.pixels[i * 4]) << 16 | UInt32(plain.pixels[i * 4 + 1]) << 8 | UInt32(plain.pixels[i * 4 + 2]))
        }
        #expect(texturedColours.count > 20)
        #expect(plainColours.count <= 3)  // one colour per face under full ambient
        #expect(textured.alphaMask() == plain.alphaMask())
    }

    @Test func alphaModesAndBackFaces() throws {
        let above = CameraPose.lookAt(location: Vec3(0, 0, 2))
        let below = CameraPose.lookAt(location: Vec3(0, 0, -2))
        let settings = RenderSettings(width: 32, height: 32, supersampling: 1)
        func render(_ m: Material, alpha: Float = 1, from camera: CameraPose) throws -> RGBAImage {
            let scene = try RenderScene(scene: quadScene(material: m, alpha: alpha))
            return Rasterizer.render(scene, camera: camera, settings: settings).image
        }
        let opaque = try render(Material(), from: above)
        #expect(coverage(opaque) > 100)
        #expect(opaque.pixels[(16 * 32 + 16) * 4 + 3] == 255)
        // Single-sided: invisible from behind; double-sided: visible.
        #expect(coverage(try render(Material(), from: below)) == 0)
        #expect(coverage(try render(Material(doubleSided: true), from: below)) == coverage(opaque))
        // MASK: below the cutoff nothing, above it fully opaque.
        #expect(coverage(try render(Material(alphaMode: .mask, alphaCutoff: 0.5), alpha: 0.3, from: above)) == 0)
        let masked = try render(Material(alphaMode: .mask, alphaCutoff: 0.5), alpha: 0.7, from: above)
        #expect(masked.pixels[(16 * 32 + 16) * 4 + 3] == 255)
        // BLEND: partial alpha; OPAQUE ignores alpha.
        let blended = try render(Material(alphaMode: .blend), alpha: 0.5, from: above)
        #expect(abs(Int(blended.pixels[(16 * 32 + 16) * 4 + 3]) - 128) <= 1)
        #expect(try render(Material(), alpha: 0.5, from: above).pixels[(16 * 32 + 16) * 4 + 3] == 255)
    }

    @Test func depthMaskAndNearClipping() throws {
        let scene = try RenderScene(scene: quadScene(material: Material(doubleSided: true)))
        let out = Rasterizer.render(scene, camera: CameraPose.lookAt(location: Vec3(0, 0, 2)),
                                    settings: RenderSettings(width: 32, height: 32, wantDepth: true, wantMask: true))
        #expect(abs(out.depth![16 * 32 + 16] - 2) < 1e-4)
        #expect(out.depth![0] == 0)
        #expect(out.mask![16 * 32 + 16] == 255 && out.mask![0] == 0)
        // A camera grazing the quad so that it crosses the near plane: clipped, no crash, something drawn.
        let close = Rasterizer.render(scene, camera: CameraPose.lookAt(location: Vec3(0.45, 0.45, 0.05), target: Vec3(-0.5, -0.5, 0)),
                                      settings: RenderSettings(width: 32, height: 32))
        #expect(coverage(close.image) > 0)
    }

    @Test func timeLimitAndRefusalsSurfaceAsAssetErrors() {
        var rng = SeededRandom(seed: 1)
        expectAssetError("time-limit") { try AssetRenderer.render(assetAt: Self.engine, views: 4, resolution: 32, rng: &rng, timeLimit: 0) }
        expectAssetError("unsupported-extension") {
            try AssetRenderer.render(assetAt: TestPaths.assimpModels.appendingPathComponent("glTF2/draco/2CylinderEngine.gltf"), views: 1, resolution: 32, rng: &rng)
        }
    }

    @Test func fieldOfViewMatchesZero123() throws {
        // A quad of half-width tan(FOV/2) * 2 seen from distance 2 spans the whole image width.
        let half = tan(CameraIntrinsics.zero123.fieldOfView / 2) * 2
        let prim = MeshPrimitive(positions: [Float(-half), -0.1, 0, Float(half), -0.1, 0, Float(half), 0.1, 0, Float(-half), 0.1, 0],
                                 indices: [0, 1, 2, 0, 2, 3], material: 0)
        let scene = Scene(objects: [SceneObject(name: "q", primitives: [prim], worldTransform: .identity, root: 0)], roots: [.identity],
                          materials: [Material()], images: [], format: "test")
        let out = Rasterizer.render(try RenderScene(scene: scene), camera: CameraPose.lookAt(location: Vec3(0, 0, 2)),
                                    settings: RenderSettings(width: 64, height: 64, supersampling: 1))
        let row = 32
        #expect(out.image.pixels[(row * 64 + 0) * 4 + 3] == 255)
        #expect(out.image.pixels[(row * 64 + 63) * 4 + 3] == 255)
    }
}

func expectAssetError(_ kind: String, _ body: () throws -> Any) {
    do {
        _ = try body()
        Issue.record("expected AssetError \(kind)")
    } catch let error as AssetError {
        #expect(error.kind == kind, "got \(error.kind): \(error.message)")
    } catch {
        Issue.record("expected AssetError \(kind), got \(error)")
    }
}

@Suite struct TextureLimitTests {
    @Test func oversizedTexturesAreRefusedBeforeDecoding() {
        let box = TestPaths.assimpModels.appendingPathComponent("glTF2/BoxTextured-glTF-Binary/BoxTextured.glb")
        expectAssetError("texture-too-large") { try AssetRenderer.prepare(assetAt: box, limits: AssetLimits(maxTextureSide: 64)) }
        // The same asset renders without its texture when asked to skip textures.
        #expect((try? AssetRenderer.prepare(assetAt: box, limits: AssetLimits(maxTextureSide: 64), texturePolicy: .skip)) != nil)
        // A corrupt embedded image is an unreadable texture, not a crash.
        var scene = quadScene(material: Material(baseColorTexture: TextureBinding(image: 0)))
        scene.images = [EncodedImage(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3], mimeType: "image/png", origin: "test")]
        expectAssetError("unreadable-texture") { try RenderScene(scene: scene) }
    }
}
