import Foundation
import Testing
import Geometry
import Assets
import TestSupport

/// World-space triangles of a scene (9 doubles each), for comparisons.
func worldTriangles(_ scene: Scene) -> [[Double]] {
    var out: [[Double]] = []
    for o in scene.objects {
        for p in o.primitives {
            for t in stride(from: 0, to: p.indices.count, by: 3) {
                var tri: [Double] = []
                for k in 0..<3 {
                    let i = Int(p.indices[t + k]) * 3
                    let q = o.worldTransform.transformPoint(Vec3(Double(p.positions[i]), Double(p.positions[i + 1]), Double(p.positions[i + 2])))
                    tri += [q.x, q.y, q.z]
                }
                out.append(tri)
            }
        }
    }
    return out
}

func expectKind(_ kind: String, _ body: () throws -> Any) {
    do {
        _ = try body()
        Issue.record("expected an AssetError of kind \(kind), got success")
    } catch let error as AssetError {
        #expect(error.kind == kind, "got \(error.kind): \(error.message)")
        #expect(!error.message.contains("\n"))
    } catch {
        Issue.record("expected AssetError \(kind), got \(error)")
    }
}

/// A little-endian byte builder for synthetic buffers.
struct Bytes {
    var data: [UInt8] = []
    mutating func f32(_ v: Float) { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
    mutating func u8(_ v: UInt8) { data.append(v) }
    mutating func pad() { while data.count % 4 != 0 { data.append(0) } }
}

func gltfJSON(_ object: [String: Any]) throws -> [UInt8] {
    [UInt8](try JSONSerialization.data(withJSONObject: object))
}

@Suite struct GLTFLoaderTests {
    let models = TestPaths.assimpModels.appendingPathComponent("glTF2")

    @Test func loadsRealBinaryAndConvertsYUpToZUp() throws {
        let scene = try GLTFLoader.load(url: models.appendingPathComponent("BoxTextured-glTF-Binary/BoxTextured.glb"))
        #expect(scene.triangleCount == 12)
        #expect(scene.materials.count == 1)
        #expect(scene.materials[0].baseColorTexture != nil)
        #expect(scene.images.count == 1 && !scene.images[0].bytes.isEmpty)
        // The engine is much wider in glTF x than in z; after +90° about X, glTF -z becomes world +y.
        let engine = try GLTFLoader.load(url: models.appendingPathComponent("2CylinderEngine-glTF-Binary/2CylinderEngine.glb"))
        #expect(engine.triangleCount > 100_000)
        let (normalized, info) = try engine.normalizedLikeZero123()
        let b = normalized.blenderBounds
        #expect(abs(max(b.size.x, b.size.y, b.size.z) - 1) < 1e-9)
        #expect(b.center.length < 1e-9)
        #expect(info.scale > 0)
    }

    @Test func variantsOfTheSameBoxGiveTheSameTriangles() throws {
        let glb = worldTriangles(try GLTFLoader.load(url: models.appendingPathComponent("BoxTextured-glTF-Binary/BoxTextured.glb")))
        let separate = worldTriangles(try GLTFLoader.load(url: models.appendingPathComponent("BoxTextured-glTF/BoxTextured.gltf")))
        let embedded = worldTriangles(try GLTFLoader.load(url: models.appendingPathComponent("BoxTextured-glTF-Embedded/BoxTextured.gltf")))
        #expect(glb == separate)
        #expect(glb == embedded)
    }

    @Test func refusesBrokenFilesWithStableKinds() {
        expectKind("unsupported-extension") { try GLTFLoader.load(url: models.appendingPathComponent("draco/2CylinderEngine.gltf")) }
        expectKind("bad-node-hierarchy") { try GLTFLoader.load(url: models.appendingPathComponent("RecursiveNodes/RecursiveNodes.gltf")) }
        expectKind("bad-index") { try GLTFLoader.load(url: models.appendingPathComponent("IndexOutOfRange/IndexOutOfRange.gltf")) }
        expectKind("non-finite-data") { try GLTFLoader.load(url: models.appendingPathComponent("BoxWithInfinites-glTF-Binary/BoxWithInfinites.glb")) }
        expectKind("missing-file") { try GLTFLoader.load(url: models.appendingPathComponent("MissingBin/BoxTextured.gltf")) }
        expectKind("too-many-triangles") {
            try GLTFLoader.load(url: models.appendingPathComponent("2CylinderEngine-glTF-Binary/2CylinderEngine.glb"), limits: AssetLimits(maxTriangles: 1000))
        }
        expectKind("file-too-large") {
            try GLTFLoader.load(url: models.appendingPathComponent("2CylinderEngine-glTF-Binary/2CylinderEngine.glb"), limits: AssetLimits(maxFileBytes: 1000))
        }
        expectKind("bad-glb") { try GLTFLoader.loadGLB([0x67, 0x6C, 0x54, 0x46, 2, 0, 0, 0, 0xff, 0xff, 0, 0], folder: nil) }
    }

    @Test func refusesURIsThatLeaveTheFolderAndUnknownRequiredExtensions() throws {
        let folder = TestPaths.scratchFolder("gltf-uri")
        defer { try? FileManager.default.removeItem(at: folder) }
        let base: [String: Any] = [
            "asset": ["version": "2.0"], "scenes": [["nodes": [0]]], "nodes": [["mesh": 0]],
            "meshes": [["primitives": [["attributes": ["POSITION": 0]]]]],
            "accessors": [["bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3"]],
            "bufferViews": [["buffer": 0, "byteLength": 36]],
        ]
        var escaping = base
        escaping["buffers"] = [["uri": "../../etc/passwd", "byteLength": 36]]
        expectKind("uri-escapes-folder") { try GLTFLoader.loadJSON(try gltfJSON(escaping), binary: nil, folder: folder, limits: .default, format: "gltf") }
        var absolute = base
        absolute["buffers"] = [["uri": "/etc/passwd", "byteLength": 36]]
        expectKind("uri-escapes-folder") { try GLTFLoader.loadJSON(try gltfJSON(absolute), binary: nil, folder: folder, limits: .default, format: "gltf") }
        var meshopt = base
        meshopt["buffers"] = [["uri": "x.bin", "byteLength": 36]]
        meshopt["extensionsRequired"] = ["EXT_meshopt_compression"]
        expectKind("unsupported-extension") { try GLTFLoader.loadJSON(try gltfJSON(meshopt), binary: nil, folder: folder, limits: .default, format: "gltf") }
        // An accessor that overruns its bufferView.
        var b = Bytes(); for _ in 0..<9 { b.f32(0) }
        var overrun = base
        overrun["buffers"] = [["uri": "data:application/octet-stream;base64," + Data(b.data).base64EncodedString(), "byteLength": 36]]
        overrun["accessors"] = [["bufferView": 0, "componentType": 5126, "count": 4, "type": "VEC3"]]
        expectKind("bad-accessor") { try GLTFLoader.loadJSON(try gltfJSON(overrun), binary: nil, folder: folder, limits: .default, format: "gltf") }
    }

    @Test func stripsFansStridesSparseAndSmallIndices() throws {
        // Four vertices of a unit square (interleaved position + normalized u16 uv, stride 16), u8 indices.
        var b = Bytes()
        let square: [(Float, Float)] = [(0, 0), (1, 0), (1, 1), (0, 1)]
        for (x, y) in square { b.f32(x); b.f32(y); b.f32(0); b.u16(UInt16(x * 65535)); b.u16(UInt16(y * 65535)) }
        let vertexBytes = b.data.count // 64
        for i: UInt8 in [0, 1, 3, 2] { b.u8(i) }  // strip order
        b.pad()
        let sparseStart = b.data.count
        b.u8(2); b.pad()                          // sparse index: vertex 2
        b.f32(2); b.f32(2); b.f32(0)              // its new position
        let uri = "data:application/octet-stream;base64," + Data(b.data).base64EncodedString()
        func scene(mode: Int, sparse: Bool) throws -> Scene {
            var position: [String: Any] = ["bufferView": 0, "componentType": 5126, "count": 4, "type": "VEC3"]
            if sparse {
                position["sparse"] = ["count": 1, "indices": ["bufferView": 2, "componentType": 5121],
                                      "values": ["bufferView": 2, "byteOffset": 4]]
            }
            let json: [String: Any] = [
                "asset": ["version": "2.0"], "scene": 0, "scenes": [["nodes": [0]]],
                "nodes": [["mesh": 0, "translation": [0, 0, 5]]],
                "meshes": [["primitives": [["attributes": ["POSITION": 0, "TEXCOORD_0": 1], "indices": 2, "mode": mode, "material": 0]]]],
                "materials": [["pbrMetallicRoughness": ["baseColorTexture": ["index": 0]]]],
                "textures": [["source": 0]], "images": [["uri": "missing.png"]],
                "accessors": [position,
                              ["bufferView": 0, "byteOffset": 12, "componentType": 5123, "normalized": true, "count": 4, "type": "VEC2"],
                              ["bufferView": 1, "componentType": 5121, "count": 4, "type": "SCALAR"]],
                "bufferViews": [["buffer": 0, "byteLength": vertexBytes, "byteStride": 16],
                                ["buffer": 0, "byteOffset": vertexBytes, "byteLength": 4],
                                ["buffer": 0, "byteOffset": sparseStart, "byteLength": 16]],
                "buffers": [["uri": uri, "byteLength": b.data.count]],
            ]
            return try GLTFLoader.loadJSON(try gltfJSON(json), binary: nil, folder: nil, limits: .default, format: "gltf")
        }
        let strip = try scene(mode: 5, sparse: false)
        #expect(strip.triangleCount == 2)
        let prim = strip.objects[0].primitives[0]
        #expect(prim.uvs! == [0, 0, 1, 0, 1, 1, 0, 1])
        // glTF translation (0, 0, 5) becomes world (0, -5, 0) in the Z-up world.
        #expect((strip.objects[0].worldTransform.translation - Vec3(0, -5, 0)).length < 1e-12)
        let fan = try scene(mode: 6, sparse: false)
        #expect(fan.triangleCount == 2)
        let sparse = try scene(mode: 4, sparse: true)
        #expect(sparse.objects[0].primitives[0].positions[6] == 2)
        #expect(sparse.objects[0].primitives[0].positions[7] == 2)
        #expect(sparse.triangleCount == 1)
    }
}

@Suite struct OBJPLYAndWriterTests {
    @Test func objWithNegativeIndicesQuadsAndColours() throws {
        let text = """
        v 0 0 0 1 0 0
        v 1 0 0 0 1 0
        v 1 1 0 0 0 1
        v 0 1 0 1 1 1
        vt 0 0
        vt 1 0
        vt 1 1
        vt 0 1
        f -4/-4 -3/-3 -2/-2 -1/-1
        """
        let scene = try OBJLoader.parse(Array(text.utf8), folder: nil)
        #expect(scene.triangleCount == 2)
        let p = scene.objects[0].primitives[0]
        #expect(p.colors![0...3] == [1, 0, 0, 1])
        #expect(p.uvs![0...1] == [0, 1])  // OBJ v is flipped into glTF's top-down convention
        // Y-up OBJ: vertex (0, 1, 0) ends at world (0, 0, 1).
        let tris = worldTriangles(scene)
        #expect(tris.contains { $0.count == 9 && abs($0[6]) < 1e-12 && abs($0[8] - 1) < 1e-12 })
        expectKind("bad-index") { try OBJLoader.parse(Array("v 0 0 0\nf 1 2 3\n".utf8), folder: nil) }
        expectKind("not-a-mesh") { try OBJLoader.parse(Array("v 0 0 0\n".utf8), folder: nil) }
        expectKind("non-finite-data") { try OBJLoader.parse(Array("v nan 0 0\nv 0 0 0\nv 1 1 1\nf 1 2 3\n".utf8), folder: nil) }
    }

    @Test func plyAsciiAndBinaryAgree() throws {
        let header = { (format: String) in
            "ply\nformat \(format) 1.0\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\n" +
            "property uchar red\nproperty uchar green\nproperty uchar blue\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n"
        }
        let vertices: [(Float, Float, Float, UInt8)] = [(0, 0, 0, 255), (1, 0, 0, 0), (1, 1, 0, 128), (0, 1, 0, 10)]
        var ascii = header("ascii")
        for v in vertices { ascii += "\(v.0) \(v.1) \(v.2) \(v.3) 0 0\n" }
        ascii += "4 0 1 2 3\n"
        func binary(bigEndian: Bool) -> [UInt8] {
            var out = Array(header(bigEndian ? "binary_big_endian" : "binary_little_endian").utf8)
            func f(_ x: Float) { let bits = bigEndian ? x.bitPattern.bigEndian : x.bitPattern.littleEndian; withUnsafeBytes(of: bits) { out += $0 } }
            func i(_ x: Int32) { let bits = bigEndian ? x.bigEndian : x.littleEndian; withUnsafeBytes(of: bits) { out += $0 } }
            for v in vertices { f(v.0); f(v.1); f(v.2); out += [v.3, 0, 0] }
            out.append(4); for k: Int32 in [0, 1, 2, 3] { i(k) }
            return out
        }
        let a = try PLYLoader.parse(Array(ascii.utf8))
        let le = try PLYLoader.parse(binary(bigEndian: false))
        let be = try PLYLoader.parse(binary(bigEndian: true))
        #expect(a.triangleCount == 2)
        #expect(worldTriangles(a) == worldTriangles(le))
        #expect(worldTriangles(a) == worldTriangles(be))
        #expect(le.objects[0].primitives[0].colors! == be.objects[0].primitives[0].colors!)
        #expect(abs(le.objects[0].primitives[0].colors![8] - 128.0 / 255) < 1e-6)
        expectKind("bad-ply") { try PLYLoader.parse(Array(binary(bigEndian: false).dropLast(5))) }
    }

    @Test func glbWriterRoundTripsRealMeshes() throws {
        for path in ["OBJ/spider.obj", "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", "glTF2/BoxTextured-glTF/BoxTextured.gltf"] {
            let original = try AssetLoader.load(url: TestPaths.assimpModels.appendingPathComponent(path))
            let bytes = try GLBWriter.encode(original)
            let reloaded = try GLTFLoader.loadGLB(bytes, folder: nil)
            #expect(reloaded.triangleCount == original.triangleCount, "\(path)")
            let a = worldTriangles(original), b = worldTriangles(reloaded)
            #expect(a.count == b.count)
            var worst = 0.0
            for (x, y) in zip(a, b) { for k in 0..<9 { worst = max(worst, abs(x[k] - y[k])) } }
            let extent = original.vertexBounds.size.length
            #expect(worst <= 1e-6 * max(extent, 1), "\(path): largest vertex difference \(worst)")
            #expect(reloaded.images.count == original.images.count)
        }
    }

    @Test func unsupportedFormatsAreRefused() {
        expectKind("unsupported-format") { try AssetLoader.load(url: URL(fileURLWithPath: "/usr/share/assimp/models/invalid/empty.3ds")) }
        expectKind("missing-file") { try AssetLoader.load(url: URL(fileURLWithPath: "/nonexistent/x.glb")) }
    }
}

@Suite struct NormalizationAndTransformTests {
    /// A unit cube primitive centred at `c` with half-size `h`.
    func cube(_ c: Vec3, _ h: Float) -> MeshPrimitive {
        var p: [Float] = []
        for x: Float in [-1, 1] { for y: Float in [-1, 1] { for z: Float in [-1, 1] {
            p += [Float(c.x) + x * h, Float(c.y) + y * h, Float(c.z) + z * h]
        } } }
        return MeshPrimitive(positions: p, indices: [0, 1, 2, 1, 3, 2, 4, 6, 5, 5, 6, 7], material: nil)
    }

    @Test func normalizeSceneScalesEachRootAboutItsOwnOriginLikeBlender() throws {
        // Two roots: A at x = 10 holding a cube of size 2, B at the origin holding a cube of size 2 at x = -10.
        let a = Mat4.translation(Vec3(10, 0, 0))
        let scene = Scene(objects: [SceneObject(name: "a", primitives: [cube(.zero, 1)], worldTransform: a, root: 0),
                                    SceneObject(name: "b", primitives: [cube(Vec3(-10, 0, 0), 1)], worldTransform: .identity, root: 1)],
                          roots: [a, .identity], materials: [], images: [], format: "test")
        let (n, info) = try scene.normalizedLikeZero123()
        #expect(abs(info.scale - 1.0 / 22) < 1e-12)
        // zero123 multiplies root scales: A's cube shrinks about x = 10, B's about the origin, so they
        // end up 10 + 10/22 apart before centring (not 20/22 as a uniform scale would give).
        let boxes = n.objects.map { $0.localBounds.transformedCorners($0.worldTransform) }
        #expect(abs((boxes[0].center.x - boxes[1].center.x) - (10 + 10.0 / 22)) < 1e-9)
        let all = n.blenderBounds
        #expect(abs(all.center.x) < 1e-9 && abs(all.center.y) < 1e-9 && abs(all.center.z) < 1e-9)
        #expect(info.boundsBefore.min.x == -11 && info.boundsBefore.max.x == 11)
    }

    @Test func blenderBoundsUseRotatedLocalBoxCorners() throws {
        // A cube rotated 45° about Z: bound_box corners under matrix_world span sqrt(2) x the size.
        let r = Mat4(linear: Quaternion(axis: Vec3(0, 0, 1), angle: Double.pi / 4).matrix, translation: .zero)
        let scene = Scene(objects: [SceneObject(name: "c", primitives: [cube(.zero, 1)], worldTransform: r, root: 0)],
                          roots: [r], materials: [], images: [], format: "test")
        #expect(abs(scene.blenderBounds.size.x - 2 * 2.0.squareRoot()) < 1e-9)
        #expect(abs(scene.vertexBounds.size.x - 2 * 2.0.squareRoot()) < 1e-9) // the cube's corners do reach it
    }

    @Test func textureTransformFollowsKHRDefinition() throws {
        let json: [String: Any] = [
            "asset": ["version": "2.0"], "extensionsRequired": ["KHR_texture_transform"], "scenes": [["nodes": [0]]], "nodes": [["mesh": 0]],
            "meshes": [["primitives": [["attributes": ["POSITION": 0], "material": 0]]]],
            "materials": [["pbrMetallicRoughness": ["baseColorTexture": ["index": 0, "extensions": ["KHR_texture_transform": [
                "offset": [0.5, 0.25], "rotation": Double.pi / 2, "scale": [2, 3], "texCoord": 1]]]]]],
            "textures": [["source": 0, "sampler": 0]], "samplers": [["wrapS": 33071, "wrapT": 33648]], "images": [["uri": "data:image/png;base64,AAAA"]],
            "accessors": [["bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3"]],
            "bufferViews": [["buffer": 0, "byteLength": 36]],
            "buffers": [["uri": "data:application/octet-stream;base64," + Data(count: 36).base64EncodedString(), "byteLength": 36]],
        ]
        let scene = try GLTFLoader.loadJSON(try gltfJSON(json), folder: nil)
        let t = try #require(scene.materials[0].baseColorTexture)
        #expect(t.texCoord == 1 && t.wrapS == .clampToEdge && t.wrapT == .mirroredRepeat)
        // uv' = T * R * S * uv with R = [[cos, sin], [-sin, cos]]: (1, 0) -> S (2, 0) -> R (0, -2) -> T (0.5, -1.75).
        let m = t.uvTransform
        let u = m[0] * 1 + m[1] * 0 + m[2], v = m[3] * 1 + m[4] * 0 + m[5]
        #expect(abs(u - 0.5) < 1e-6 && abs(v + 1.75) < 1e-6)
    }
}

@Suite struct HostileInputTests {
    @Test func hostileFilesAreRefusedNotTrappedOn() throws {
        // A PLY whose list length is not a count.
        let ply = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n" +
            "element face 1\nproperty list float int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\nnan 0 1 2\n"
        expectKind("bad-ply") { try PLYLoader.parse(Array(ply.utf8)) }
        // An accessor claiming billions of zero elements (no bufferView).
        let huge: [String: Any] = [
            "asset": ["version": "2.0"], "scenes": [["nodes": [0]]], "nodes": [["mesh": 0]],
            "meshes": [["primitives": [["attributes": ["POSITION": 0]]]]],
            "accessors": [["componentType": 5126, "count": 2_000_000_000, "type": "VEC3"]],
        ]
        expectKind("too-many-triangles") { try GLTFLoader.loadJSON(try gltfJSON(huge), folder: nil) }
        // A node chain deeper than any real asset.
        var nodes: [[String: Any]] = (0..<1000).map { ["children": [$0 + 1]] }
        nodes.append(["mesh": 0])
        let deep: [String: Any] = [
            "asset": ["version": "2.0"], "scenes": [["nodes": [0]]], "nodes": nodes,
            "meshes": [["primitives": [["attributes": ["POSITION": 0]]]]],
            "accessors": [["componentType": 5126, "count": 3, "type": "VEC3"]],
        ]
        expectKind("bad-node-hierarchy") { try GLTFLoader.loadJSON(try gltfJSON(deep), folder: nil) }
        // Truncated GLB headers and chunk lengths.
        expectKind("bad-glb") { try GLTFLoader.loadGLB([0x67, 0x6C, 0x54, 0x46, 2, 0, 0, 0, 20, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0x4A, 0x53, 0x4F, 0x4E], folder: nil) }
    }
}
