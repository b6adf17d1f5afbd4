import Foundation
import Geometry

/// Writes a `Scene` as an Objaverse-style binary glTF (.glb): one buffer in the BIN chunk,
/// one node per object (its world matrix turned back into glTF's Y-up) under a single root node
/// (so zero123's per-root normalisation treats the asset as one), one mesh primitive per
/// `MeshPrimitive` (POSITION with min/max, NORMAL, TEXCOORD_0, COLOR_0, u32 indices), materials
/// with base colour factor / texture / alpha mode / doubleSided, images embedded as bufferViews.
/// UV transforms are baked into the written texture coordinates.
public enum GLBWriter {
    /// The scene as GLB bytes (glTF 2.0 binary container, one BIN chunk).
    public static func encode(_ scene: Scene) throws -> [UInt8] {
        var bin: [UInt8] = []
        var bufferViews: [[String: Any]] = []
        var accessors: [[String: Any]] = []

        func align() { while bin.count % 4 != 0 { bin.append(0) } }
        func addView(_ bytes: [UInt8], target: Int?) -> Int {
            align()
            var v: [String: Any] = ["buffer": 0, "byteOffset": bin.count, "byteLength": bytes.count]
            if let target { v["target"] = target }
            bin += bytes
            bufferViews.append(v)
            return bufferViews.count - 1
        }
        func floats(_ values: [Float], type: String, components: Int, minMax: Bool = false) -> Int {
            var bytes = [UInt8](); bytes.reserveCapacity(values.count * 4)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
            let view = addView(bytes, target: 34962)
            var a: [String: Any] = ["bufferView": view, "componentType": 5126, "count": values.count / components, "type": type]
            if minMax {
                var lo = [Float](repeating: .infinity, count: components), hi = [Float](repeating: -.infinity, count: components)
                for (i, v) in values.enumerated() { lo[i % components] = min(lo[i % components], v); hi[i % components] = max(hi[i % components], v) }
                a["min"] = lo.map { Double($0) }; a["max"] = hi.map { Double($0) }
            }
            accessors.append(a)
            return accessors.count - 1
        }

        var images: [[String: Any]] = []
        var textures: [[String: Any]] = []
        var samplers: [[String: Any]] = []
        for (i, image) in scene.images.enumerated() {
            let view = addView(image.bytes, target: nil)
            let mime = image.mimeType ?? (image.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? "image/png" : "image/jpeg")
            images.append(["bufferView": view, "mimeType": mime, "name": "image\(i)"])
        }
        var materials: [[String: Any]] = []
        for m in scene.materials {
            var pbr: [String: Any] = ["baseColorFactor": m.baseColorFactor.map { Double($0) }, "metallicFactor": 0.0, "roughnessFactor": 1.0]
            if let t = m.baseColorTexture, t.image < scene.images.count {
                samplers.append(["wrapS": t.wrapS.rawValue, "wrapT": t.wrapT.rawValue])
                textures.append(["source": t.image, "sampler": samplers.count - 1])
                pbr["baseColorTexture"] = ["index": textures.count - 1]
            }
            var entry: [String: Any] = ["name": m.name, "pbrMetallicRoughness": pbr, "alphaMode": m.alphaMode.rawValue, "doubleSided": m.doubleSided]
            if m.alphaMode == .mask { entry["alphaCutoff"] = Double(m.alphaCutoff) }
            materials.append(entry)
        }
        let toYUp = yUpToZUp.affineInverse!
        var meshes: [[String: Any]] = []
        var nodes: [[String: Any]] = []
        for object in scene.objects {
            var prims: [[String: Any]] = []
            for p in object.primitives {
                var attributes: [String: Any] = ["POSITION": floats(p.positions, type: "VEC3", components: 3, minMax: true)]
                if let n = p.normals { attributes["NORMAL"] = floats(n, type: "VEC3", components: 3) }
                if var uv = p.uvs {
                    if let m = p.material, m < scene.materials.count, let t = scene.materials[m].baseColorTexture, t.uvTransform != [1, 0, 0, 0, 1, 0] {
                        let a = t.uvTransform
                        for k in stride(from: 0, to: uv.count, by: 2) {
                            let u = uv[k], v = uv[k + 1]
                            uv[k] = a[0] * u + a[1] * v + a[2]; uv[k + 1] = a[3] * u + a[4] * v + a[5]
                        }
                    }
                    attributes["TEXCOORD_0"] = floats(uv, type: "VEC2", components: 2)
                }
                if let c = p.colors { attributes["COLOR_0"] = floats(c, type: "VEC4", components: 4) }
                var ib = [UInt8](); ib.reserveCapacity(p.indices.count * 4)
                for i in p.indices { withUnsafeBytes(of: i.littleEndian) { ib += $0 } }
                let iv = addView(ib, target: 34963)
                accessors.append(["bufferView": iv, "componentType": 5125, "count": p.indices.count, "type": "SCALAR"])
                var prim: [String: Any] = ["attributes": attributes, "indices": accessors.count - 1, "mode": 4]
                if let m = p.material { prim["material"] = m }
                prims.append(prim)
            }
            meshes.append(["name": object.name, "primitives": prims])
            let local = toYUp * object.worldTransform
            var columnMajor: [Double] = []
            for c in 0..<4 { for r in 0..<4 { columnMajor.append(local[r, c]) } }
            nodes.append(["name": object.name, "mesh": meshes.count - 1, "matrix": columnMajor])
        }
        align()
        // One root holding every object: zero123's normalize_scene scales each ROOT about its own
        // origin, so objects written as separate roots would shrink in place and drift apart.
        nodes.append(["name": "root", "children": Array(0..<nodes.count)])
        var json: [String: Any] = [
            "asset": ["version": "2.0", "generator": "CustomNetData GLBWriter"],
            "scene": 0, "scenes": [["nodes": [nodes.count - 1]]],
            "nodes": nodes, "meshes": meshes, "accessors": accessors, "bufferViews": bufferViews,
            "buffers": [["byteLength": bin.count]],
        ]
        if !materials.isEmpty { json["materials"] = materials }
        if !images.isEmpty { json["images"] = images; json["textures"] = textures; json["samplers"] = samplers }
        var jsonBytes = [UInt8](try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
        while jsonBytes.count % 4 != 0 { jsonBytes.append(0x20) }
        var out: [UInt8] = []
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out += $0 } }
        u32(0x4654_6C67); u32(2); u32(12 + 8 + jsonBytes.count + 8 + bin.count)
        u32(jsonBytes.count); u32(0x4E4F_534A); out += jsonBytes
        u32(bin.count); u32(0x004E_4942); out += bin
        return out
    }
}
