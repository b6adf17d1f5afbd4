import Foundation
import Testing
import Geometry
import Support
import Assets
import TestSupport

/// A square of four float vertices and two u8-index triangles in one data: URI buffer.
private func squareGLTF(positionOffset: Int = 0, sparseIndexOffset: Int? = nil, sparseValueOffset: Int? = nil,
                        nodes: [[String: Any]]? = nil) throws -> [UInt8] {
    var b = Bytes()
    for (x, y) in [(0, 0), (1, 0), (1, 1), (0, 1)] as [(Float, Float)] { b.f32(x); b.f32(y); b.f32(0) }
    for i: UInt8 in [0, 1, 2, 0, 2, 3] { b.u8(i) }
    b.pad()
    var position: [String: Any] = ["bufferView": 0, "byteOffset": positionOffset, "componentType": 5126, "count": 4, "type": "VEC3"]
    if sparseIndexOffset != nil || sparseValueOffset != nil {
        position["sparse"] = ["count": 1, "indices": ["bufferView": 1, "componentType": 5121, "byteOffset": sparseIndexOffset ?? 0],
                              "values": ["bufferView": 0, "byteOffset": sparseValueOffset ?? 0]]
    }
    let json: [String: Any] = [
        "asset": ["version": "2.0"], "nodes": nodes ?? [["mesh": 0]],
        "meshes": [["primitives": [["attributes": ["POSITION": 0], "indices": 1]]]],
        "accessors": [position, ["bufferView": 1, "componentType": 5121, "count": 6, "type": "SCALAR"]],
        "bufferViews": [["buffer": 0, "byteLength": 48], ["buffer": 0, "byteOffset": 48, "byteLength": 6]],
        "buffers": [["uri": "data:application/octet-stream;base64," + Data(b.data).base64EncodedString(), "byteLength": b.data.count]],
    ]
    return try gltfJSON(json)
}

/// Hostile assets: every one ends in an `AssetError` (or a `DeadlineExceeded`) with a one-line
/// reason, never a trap, an endless loop or a file read outside the asset's folder.
@Suite struct HostileAssetTests {
    @Test func glTFOffsetsNear2To63AreRefusedNotTrappedOn() throws {
        #expect(try GLTFLoader.loadJSON(try squareGLTF(), folder: nil).triangleCount == 2)
        for huge in [Int.max, Int.max - 40, 1 << 62, (1 << 62) + (1 << 61)] {
            expectKind("bad-accessor") { try GLTFLoader.loadJSON(try squareGLTF(positionOffset: huge), folder: nil) }
            expectKind("bad-accessor") { try GLTFLoader.loadJSON(try squareGLTF(sparseIndexOffset: huge), folder: nil) }
            expectKind("bad-accessor") { try GLTFLoader.loadJSON(try squareGLTF(sparseValueOffset: huge), folder: nil) }
        }
    }

    @Test func fortyThousandFlatNodesLoadInLinearTime() throws {
        let nodes = (0..<40_000).map { k -> [String: Any] in k % 100 == 0 ? ["mesh": 0] : ["name": "n\(k)"] }
        let bytes = try squareGLTF(nodes: nodes)
        let clock = ContinuousClock()
        var triangles = 0
        let elapsed = try clock.measure { triangles = try GLTFLoader.loadJSON(bytes, folder: nil).triangleCount }
        #expect(triangles == 800)
        // Quadratic node lookups took minutes here; linear ones take well under a second in debug.
        #expect(elapsed < .seconds(20), "\(elapsed)")
    }

    @Test func plyListOnAScalarVertexPropertyIsRefused() {
        for name in ["x", "nx", "u", "red"] {
            var header = "ply\nformat ascii 1.0\nelement vertex 3\n"
            for p in ["x", "y", "z", "nx", "ny", "nz", "u", "v", "red", "green", "blue"] {
                header += p == name ? "property list uchar float \(p)\n" : (["red", "green", "blue"].contains(p) ? "property uchar \(p)\n" : "property float \(p)\n")
            }
            header += "element face 1\nproperty list uchar int vertex_indices\nend_header\n"
            var body = ""
            for _ in 0..<3 { body += ["x", "y", "z", "nx", "ny", "nz", "u", "v", "red", "green", "blue"].map { $0 == name ? "1 0.5" : "1" }.joined(separator: " ") + "\n" }
            body += "3 0 1 2\n"
            expectKind("bad-ply") { try PLYLoader.parse(Array((header + body).utf8)) }
        }
    }

    @Test func plyDeclaringTwentyThousandEmptyElementsIsCheap() throws {
        var text = "ply\nformat binary_little_endian 1.0\n"
        for k in 0..<20_000 { text += "element junk\(k) 500000000\n" }
        text += "element vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n"
        var bytes = Array(text.utf8)
        for v: Float in [0, 0, 0, 1, 0, 0, 0, 1, 0] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        bytes.append(3)
        for i: Int32 in [0, 1, 2] { withUnsafeBytes(of: i.littleEndian) { bytes += $0 } }
        let clock = ContinuousClock()
        var triangles = 0
        let elapsed = try clock.measure { triangles = try PLYLoader.parse(bytes).triangleCount }
        #expect(triangles == 1)
        #expect(elapsed < .seconds(10), "\(elapsed)")
        // Counts that cannot fit in the bytes left are refused before any loop.
        let lying = Array("ply\nformat binary_little_endian 1.0\nelement vertex 400000000\nproperty float x\nproperty float y\nproperty float z\nend_header\n".utf8) + [0, 0, 0, 0]
        expectKind("bad-ply") { try PLYLoader.parse(lying) }
    }

    @Test func loadersStopAtTheDeadlineAndOnCancellation() throws {
        let count = 200_000
        var text = "ply\nformat ascii 1.0\nelement vertex \(count)\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n"
        text += String(repeating: "0.5 0.25 0.125\n", count: count) + "3 0 1 2\n"
        let bytes = Array(text.utf8)
        let passed = try #require(throws: DeadlineExceeded.self) { try PLYLoader.parse(bytes, limits: AssetLimits(deadline: Deadline(seconds: 0.01))) }
        #expect(passed.kind == "time-limit")
        let stopped = try #require(throws: DeadlineExceeded.self) {
            try PLYLoader.parse(bytes, limits: AssetLimits(deadline: Deadline(seconds: nil, cancelled: { true })))
        }
        #expect(stopped.kind == "interrupted")
        let nodes = (0..<5_000).map { _ in ["mesh": 0] as [String: Any] }
        #expect(throws: DeadlineExceeded.self) {
            try GLTFLoader.loadJSON(try squareGLTF(nodes: nodes), folder: nil, limits: AssetLimits(deadline: Deadline(seconds: 0)))
        }
        let obj = Array(String(repeating: "v 0 0 0\n", count: 5_000).utf8) + Array("f 1 2 3\n".utf8)
        #expect(throws: DeadlineExceeded.self) { try OBJLoader.parse(obj, folder: nil, limits: AssetLimits(deadline: Deadline(seconds: 0))) }
    }

    /// A hand-made Cyberware-style strip file: two strips separated by -1 in one record, a third
    /// in a second record; winding alternates within each strip and restarts after -1.
    @Test func plyTriangleStripsLoadAsTriangles() throws {
        var text = "ply\nformat ascii 1.0\nelement vertex 8\nproperty float x\nproperty float y\nproperty float z\n"
        text += "element tristrips 2\nproperty list int int vertex_indices\nend_header\n"
        for k in 0..<8 { text += "\(k) \(k * k) 0\n" }
        text += "9 0 1 2 3 4 -1 5 6 7\n"
        text += "4 1 1 2 5\n"  // a repeated index: the degenerate triangle (1, 1, 2) is dropped
        let scene = try PLYLoader.parse(Array(text.utf8))
        let expected: [UInt32] = [0, 1, 2, 2, 1, 3, 2, 3, 4, 5, 6, 7, 2, 1, 5]
        #expect(scene.objects[0].primitives[0].indices == expected)
        #expect(scene.triangleCount == 5)
        let binary = "ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement tristrips 1\nproperty list int int vertex_indices\nend_header\n"
        var bytes = Array(binary.utf8)
        for v: Float in [0, 0, 0, 1, 0, 0, 0, 1, 0] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        for i: Int32 in [4, 0, 1, 2, -1] { withUnsafeBytes(of: i.littleEndian) { bytes += $0 } }
        #expect(try PLYLoader.parse(bytes).objects[0].primitives[0].indices == [0, 1, 2])
        expectKind("bad-index") { try PLYLoader.parse(Array(text.replacingOccurrences(of: "4 1 1 2 5", with: "4 1 1 2 99").utf8)) }
    }

    @Test func objMaterialLibrariesAndTexturesThatLeaveTheFolderFailTheAsset() throws {
        let folder = TestPaths.scratchFolder("objescape")
        let inner = folder.appendingPathComponent("asset")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        try "newmtl m\nKd 1 0 0\n".write(to: folder.appendingPathComponent("outside.mtl"), atomically: true, encoding: .utf8)
        let mesh = "v 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl m\nf 1 2 3\n"
        for reference in ["mtllib ../outside.mtl", "mtllib \(folder.path)/outside.mtl", "mtllib ..\\outside.mtl"] {
            let url = inner.appendingPathComponent("a.obj")
            try (reference + "\n" + mesh).write(to: url, atomically: true, encoding: .utf8)
            expectKind("uri-escapes-folder") { try OBJLoader.load(url: url) }
        }
        try "newmtl m\nmap_Kd ../../../etc/passwd\n".write(to: inner.appendingPathComponent("in.mtl"), atomically: true, encoding: .utf8)
        let url = inner.appendingPathComponent("b.obj")
        try ("mtllib in.mtl\n" + mesh).write(to: url, atomically: true, encoding: .utf8)
        expectKind("uri-escapes-folder") { try OBJLoader.load(url: url) }
        // A missing library is still only a missing material.
        try ("mtllib absent.mtl\n" + mesh).write(to: url, atomically: true, encoding: .utf8)
        #expect(try OBJLoader.load(url: url).triangleCount == 1)
    }
}
