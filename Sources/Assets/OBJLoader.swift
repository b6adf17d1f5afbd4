import Foundation
import Geometry
import Support

/// Wavefront OBJ + MTL: polygons (fan-triangulated), negative (relative) indices, `v x y z r g b`
/// vertex colours, `usemtl` materials with Kd / d / Tr / map_Kd. OBJ is Y-up: like Blender's OBJ
/// importer (forward -Z, up Y) the scene is turned +90° about X into the Z-up world.
public enum OBJLoader {
    /// Loads an OBJ file (and the MTL files and textures it names) within `limits`.
    public static func load(url: URL, limits: AssetLimits = .default) throws -> Scene {
        let bytes = try GLTFLoader.readLimited(url: url, limits: limits)
        return try parse(bytes, folder: url.deletingLastPathComponent(), limits: limits)
    }

    static func float(_ s: Substring) -> Double? { Double(s) }

    /// Parses OBJ text; `folder` resolves mtllib and map_Kd paths (nil: no materials files).
    public static func parse(_ bytes: [UInt8], folder: URL?, limits: AssetLimits = .default) throws -> Scene {
        var reader = OBJReader(folder: folder, limits: limits)
        let text = String(decoding: bytes, as: UTF8.self)
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }).enumerated() {
            if offset & 1023 == 0 { try limits.deadline.check() }
            try reader.read(rawLine, lineNumber: offset + 1)
        }
        return try reader.scene()
    }

    static func readSibling(_ name: String, folder: URL, limits: AssetLimits) throws -> [UInt8] {
        // Windows exporters write MTL and texture paths with backslashes: read them as slashes.
        let cleaned = name.replacingOccurrences(of: "\\", with: "/")
        do {
            _ = try ContainedPath.check(cleaned, what: "file name")
        } catch {
            throw AssetError(.uriEscapesFolder, message: error.message)
        }
        let base = folder.standardizedFileURL.resolvingSymlinksInPath().path
        let target = folder.appendingPathComponent(cleaned).standardizedFileURL.resolvingSymlinksInPath()
        guard target.path.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
            throw AssetError(.uriEscapesFolder, message: "\(name) leaves the asset's folder")
        }
        return try GLTFLoader.readLimited(url: target, limits: limits)
    }

    /// `readSibling`, with a missing or unreadable file read as absent (OBJ files often name MTL
    /// files and textures that were not shipped); a name that leaves the folder still fails the asset.
    static func readSiblingIfPresent(_ name: String, folder: URL, limits: AssetLimits) throws -> [UInt8]? {
        do {
            return try readSibling(name, folder: folder, limits: limits)
        } catch let error as AssetError where error.reason == .uriEscapesFolder {
            throw error
        } catch {
            return nil
        }
    }

    static func parseMTL(_ bytes: [UInt8], folder: URL, limits: AssetLimits, materials: inout [Material],
                         images: inout [EncodedImage], index: inout [String: Int]) throws {
        var current: Int?
        for (number, rawLine) in String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).enumerated() {
            if number & 1023 == 0 { try limits.deadline.check() }
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let head = parts.first else { continue }
            switch head {
            case "newmtl":
                let name = parts.count > 1 ? String(parts[1]) : ""
                materials.append(Material(name: name, doubleSided: true))
                current = materials.count - 1
                index[name] = current
            case "Kd":
                if let c = current, parts.count >= 4, let r = Float(parts[1]), let g = Float(parts[2]), let b = Float(parts[3]),
                   r.isFinite, g.isFinite, b.isFinite {
                    materials[c].baseColorFactor[0] = min(max(r, 0), 1)
                    materials[c].baseColorFactor[1] = min(max(g, 0), 1)
                    materials[c].baseColorFactor[2] = min(max(b, 0), 1)
                }
            case "d", "Tr":
                if let c = current, parts.count >= 2, var a = Float(parts[1]), a.isFinite {
                    if head == "Tr" { a = 1 - a }
                    a = min(max(a, 0), 1)
                    materials[c].baseColorFactor[3] = a
                    materials[c].alphaMode = a < 1 ? .blend : .opaque
                }
            case "map_Kd":
                // Options (-s, -o, -bm ...) precede the file name; take the last token.
                if let c = current, let file = parts.last, parts.count >= 2 {
                    if let data = try readSiblingIfPresent(String(file), folder: folder, limits: limits) {
                        images.append(EncodedImage(bytes: data, mimeType: nil, origin: String(file)))
                        materials[c].baseColorTexture = TextureBinding(image: images.count - 1)
                    }
                }
            default:
                continue
            }
        }
    }
}

/// The state of one OBJ parse: what the lines defined so far, read line by line (`read`), then
/// assembled into one primitive per material (`scene`).
struct OBJReader {
    let folder: URL?
    let limits: AssetLimits
    var positions: [Vec3] = []
    var vertexColors: [Vec3?] = []
    var texcoords: [(Double, Double)] = []
    var normals: [Vec3] = []
    var materials: [Material] = []
    var images: [EncodedImage] = []
    var materialIndex: [String: Int] = [:]
    var current: Int?
    /// Per material (no material: -1): corners (v, vt, vn) of triangles, and the materials in first-use order.
    var groups: [Int: [(Int, Int?, Int?)]] = [:]
    var order: [Int] = []
    var triangles = 0
    var anyColor = false

    init(folder: URL?, limits: AssetLimits) {
        self.folder = folder
        self.limits = limits
    }

    /// Reads one line (comments stripped): a vertex, texture coordinate, normal, face, material library or material switch.
    mutating func read(_ rawLine: Substring, lineNumber: Int) throws {
        let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let head = parts.first else { return }
        func fail(_ why: String) -> AssetError { AssetError(.badOBJ, message: "OBJ line \(lineNumber): \(why)") }
        let float = OBJLoader.float
        switch head {
        case "v":
            guard parts.count >= 4, let x = float(parts[1]), let y = float(parts[2]), let z = float(parts[3]) else { throw fail("malformed vertex") }
            let p = Vec3(x, y, z)
            guard p.isFinite, abs(x) <= limits.maxCoordinate, abs(y) <= limits.maxCoordinate, abs(z) <= limits.maxCoordinate else {
                throw AssetError(.nonFiniteData, message: "OBJ line \(lineNumber): non-finite or out-of-range vertex")
            }
            positions.append(p)
            if parts.count >= 7, let r = float(parts[4]), let g = float(parts[5]), let b = float(parts[6]) {
                vertexColors.append(Vec3(r, g, b)); anyColor = true
            } else {
                vertexColors.append(nil)
            }
        case "vt":
            guard parts.count >= 2, let u = float(parts[1]) else { throw fail("malformed texture coordinate") }
            let v = parts.count >= 3 ? (float(parts[2]) ?? 0) : 0
            texcoords.append((u, v))
        case "vn":
            guard parts.count >= 4, let x = float(parts[1]), let y = float(parts[2]), let z = float(parts[3]) else { throw fail("malformed normal") }
            normals.append(Vec3(x, y, z))
        case "f":
            try addFace(parts, lineNumber: lineNumber, fail: fail)
        case "mtllib":
            guard let folder else { break }
            let name = line.drop(while: { $0 == " " || $0 == "\t" }).dropFirst(6).trimmingCharacters(in: .whitespaces)
            if let data = try OBJLoader.readSiblingIfPresent(name, folder: folder, limits: limits) {
                try OBJLoader.parseMTL(data, folder: folder, limits: limits, materials: &materials, images: &images, index: &materialIndex)
            }
        case "usemtl":
            let name = parts.count > 1 ? String(parts[1]) : ""
            if let i = materialIndex[name] { current = i } else {
                materials.append(Material(name: name, doubleSided: true)); materialIndex[name] = materials.count - 1; current = materials.count - 1
            }
        default:
            return
        }
    }

    /// A face: corners resolved (1-based or negative relative indices), fan-triangulated into the current material's group.
    mutating func addFace(_ parts: [Substring], lineNumber: Int, fail: (String) -> AssetError) throws {
        guard parts.count >= 4 else { throw fail("a face needs at least 3 vertices") }
        var corners: [(Int, Int?, Int?)] = []
        for token in parts.dropFirst() {
            let fields = token.split(separator: "/", omittingEmptySubsequences: false)
            func resolve(_ f: Substring?, _ count: Int, _ what: String) throws -> Int? {
                guard let f, !f.isEmpty else { return nil }
                guard let i = Int(f), i != 0 else { throw fail("bad \(what) index \(f)") }
                let r = i > 0 ? i - 1 : count + i
                guard r >= 0, r < count else {
                    throw AssetError(.badIndex, message: "OBJ line \(lineNumber): \(what) index \(i) out of range (\(count) defined)")
                }
                return r
            }
            guard let v = try resolve(fields.first, positions.count, "vertex") else { throw fail("face corner without vertex") }
            let vt = try resolve(fields.count > 1 ? fields[1] : nil, texcoords.count, "texture")
            let vn = try resolve(fields.count > 2 ? fields[2] : nil, normals.count, "normal")
            corners.append((v, vt, vn))
        }
        let key = current ?? -1
        if groups[key] == nil { groups[key] = []; order.append(key) }
        for i in 1..<(corners.count - 1) {
            groups[key]!.append(corners[0]); groups[key]!.append(corners[i]); groups[key]!.append(corners[i + 1])
            triangles += 1
        }
        guard triangles <= limits.maxTriangles else {
            throw AssetError(.tooManyTriangles, message: "the OBJ has more than \(limits.maxTriangles) triangles")
        }
    }

    /// One primitive per material in first-use order (faces without a material get a double-sided
    /// default one: OBJ has no face culling), in the Z-up world.
    mutating func scene() throws -> Scene {
        guard triangles > 0 else { throw AssetError(.notAMesh, message: "the OBJ has no faces") }
        var defaultMaterial: Int?
        if order.contains(-1) {
            materials.append(Material(name: "default", doubleSided: true))
            defaultMaterial = materials.count - 1
        }
        var primitives: [MeshPrimitive] = []
        for key in order {
            let corners = groups[key]!
            var pos = [Float](), nor = [Float](), uv = [Float](), col = [Float]()
            pos.reserveCapacity(corners.count * 3)
            let hasNormals = corners.allSatisfy { $0.2 != nil }
            let hasUV = corners.allSatisfy { $0.1 != nil }
            for (v, vt, vn) in corners {
                let p = positions[v]
                pos += [Float(p.x), Float(p.y), Float(p.z)]
                if hasNormals, let vn { let n = normals[vn]; nor += [Float(n.x), Float(n.y), Float(n.z)] }
                if hasUV, let vt { uv += [Float(texcoords[vt].0), Float(1 - texcoords[vt].1)] } // OBJ v runs bottom-up
                if anyColor {
                    let c = vertexColors[v] ?? Vec3(1, 1, 1)
                    col += [Float(min(max(c.x, 0), 1)), Float(min(max(c.y, 0), 1)), Float(min(max(c.z, 0), 1)), 1]
                }
            }
            primitives.append(MeshPrimitive(positions: pos, normals: hasNormals ? nor : nil, uvs: hasUV ? uv : nil,
                                            colors: anyColor ? col : nil, indices: (0..<UInt32(corners.count)).map { $0 },
                                            material: key >= 0 ? key : defaultMaterial))
        }
        let object = SceneObject(name: "obj", primitives: primitives, worldTransform: yUpToZUp, root: 0)
        return Scene(objects: [object], roots: [yUpToZUp], materials: materials, images: images, format: "obj")
    }
}
