import Foundation
import Geometry
import Support

/// glTF 2.0 (.gltf with external files or data: URIs, and binary .glb) into a `Scene`.
/// Follows the Khronos glTF 2.0 specification; converts glTF's Y-up into the Z-up world the way
/// Blender's importer does (+90° about X). Refuses required extensions it does not implement
/// (Draco, meshopt, basisu ...), URIs that leave the asset's folder (`ContainedPath`, then the
/// resolved path is checked against the folder), and accessors that do not fit their buffers:
/// every offset, stride and count from the file goes through checked arithmetic, so a value near
/// 2^63 is an error, never a trap. Each top-level array is indexed once (node lookups are O(1), so
/// 40,000 flat nodes load in linear time) and the node walk and accessor loops poll
/// `limits.deadline`.
public enum GLTFLoader {
    /// Extensions whose presence in `extensionsRequired` is fine.
    public static let supportedExtensions: Set<String> = [
        "KHR_texture_transform", "KHR_materials_unlit", "KHR_mesh_quantization",
        "KHR_materials_emissive_strength", "KHR_materials_ior", "KHR_materials_specular",
        "KHR_materials_transmission", "KHR_materials_volume", "KHR_materials_clearcoat",
        "KHR_materials_sheen", "KHR_materials_variants", "KHR_lights_punctual",
        "KHR_materials_pbrSpecularGlossiness",
    ]

    /// Loads a .glb or .gltf file.
    public static func load(url: URL, limits: AssetLimits = .default) throws -> Scene {
        let bytes = try readLimited(url: url, limits: limits)
        let folder = url.deletingLastPathComponent()
        if bytes.count >= 4, bytes[0] == 0x67, bytes[1] == 0x6C, bytes[2] == 0x54, bytes[3] == 0x46 {
            return try loadGLB(bytes, folder: folder, limits: limits)
        }
        return try loadJSON(bytes, binary: nil, folder: folder, limits: limits, format: "gltf")
    }

    /// Parses GLB bytes (header, JSON chunk, optional BIN chunk; unknown chunks skipped).
    public static func loadGLB(_ bytes: [UInt8], folder: URL?, limits: AssetLimits = .default) throws -> Scene {
        func u32(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24 }
        guard bytes.count >= 12, u32(0) == 0x4654_6C67 else { throw AssetError(.badGLB, message: "not a GLB file (bad magic)") }
        let version = u32(4)
        guard version == 2 else { throw AssetError(.unsupportedVersion, message: "GLB version \(version) is not supported (only glTF 2.0)") }
        let total = u32(8)
        guard total <= bytes.count, total >= 12 else {
            throw AssetError(.badGLB, message: "GLB header says \(total) bytes but the file has \(bytes.count) (truncated?)")
        }
        var offset = 12
        var json: [UInt8]?
        var bin: [UInt8]?
        while offset + 8 <= total {
            let length = u32(offset), type = u32(offset + 4)
            let start = offset + 8
            guard length >= 0, start + length <= total else {
                throw AssetError(.badGLB, message: "GLB chunk at byte \(offset) runs past the end of the file")
            }
            if type == 0x4E4F_534A, json == nil { json = Array(bytes[start..<(start + length)]) }
            else if type == 0x004E_4942, bin == nil { bin = Array(bytes[start..<(start + length)]) }
            offset = start + ((length + 3) & ~3)
        }
        guard let json else { throw AssetError(.badGLB, message: "GLB has no JSON chunk") }
        return try loadJSON(json, binary: bin, folder: folder, limits: limits, format: "glb")
    }

    /// Parses glTF JSON with an optional GLB BIN chunk.
    public static func loadJSON(_ bytes: [UInt8], binary: [UInt8]? = nil, folder: URL?, limits: AssetLimits = .default, format: String = "gltf") throws -> Scene {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw AssetError(.badGLTF, message: "glTF JSON does not parse: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else { throw AssetError(.badGLTF, message: "glTF JSON is not an object") }
        var parser = GLTFParser(json: root, binary: binary, folder: folder, limits: limits, format: format)
        return try parser.parse()
    }

    static func readLimited(url: URL, limits: AssetLimits) throws -> [UInt8] {
        let path = url.path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw AssetError(.missingFile, message: "cannot read \(path): no such file")
        }
        if let type = attributes[.type] as? FileAttributeType, type == .typeDirectory {
            throw AssetError(.missingFile, message: "\(path) is a folder, not a file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= limits.maxFileBytes else {
            throw AssetError(.fileTooLarge, message: "\(url.lastPathComponent) has \(size) bytes, over the limit of \(limits.maxFileBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AssetError(.missingFile, message: "cannot read \(path)")
        }
        return [UInt8](data)
    }
}

/// The Y-up to Z-up conversion of Blender's glTF importer: +90° about X, (x, y, z) -> (x, -z, y).
public let yUpToZUp = Mat4(linear: Mat3.rotationX(Double.pi / 2).rounded, translation: .zero)

extension Mat3 {
    /// Entries snapped to exact 0/±1 when within 1e-12 (keeps axis swaps exact).
    var rounded: Mat3 {
        func r(_ v: Vec3) -> Vec3 {
            func s(_ x: Double) -> Double { abs(x) < 1e-12 ? 0 : (abs(abs(x) - 1) < 1e-12 ? (x > 0 ? 1 : -1) : x) }
            return Vec3(s(v.x), s(v.y), s(v.z))
        }
        return Mat3(rows: r(r0), r(r1), r(r2))
    }
}

private func bad(_ reason: AssetError.Reason, _ message: String) -> AssetError { AssetError(reason, message: message) }

struct GLTFParser {
    let json: [String: Any]
    let binary: [UInt8]?
    let folder: URL?
    let limits: AssetLimits
    let format: String
    var buffers: [Int: [UInt8]] = [:]
    var meshCache: [Int: [MeshPrimitive]] = [:]
    var triangles = 0
    var parsedMaterials: [Material] = []
    /// The top-level arrays (nodes, meshes, accessors ...), each converted once.
    let arrays: [String: [[String: Any]]]

    init(json: [String: Any], binary: [UInt8]?, folder: URL?, limits: AssetLimits, format: String) {
        var arrays: [String: [[String: Any]]] = [:]
        for (key, value) in json {
            if let list = value as? [Any] { arrays[key] = list.compactMap { $0 as? [String: Any] } }
        }
        self.arrays = arrays
        self.json = json
        self.binary = binary
        self.folder = folder
        self.limits = limits
        self.format = format
    }

    func array(_ key: String) -> [[String: Any]] { arrays[key] ?? [] }

    func item(_ key: String, _ index: Int, _ what: String) throws -> [String: Any] {
        let list = array(key)
        guard index >= 0, index < list.count else { throw bad(.badGLTF, "\(what) \(index) does not exist (\(list.count) \(key))") }
        return list[index]
    }

    mutating func parse() throws -> Scene {
        if let asset = json["asset"] as? [String: Any], let version = asset["version"] as? String {
            guard version.hasPrefix("2.") else {
                throw bad(.unsupportedVersion, "glTF version \(version) is not supported (only 2.x)")
            }
        } else {
            throw bad(.badGLTF, "glTF has no asset.version (not a glTF 2.0 file)")
        }
        let required = (json["extensionsRequired"] as? [Any])?.compactMap { $0 as? String } ?? []
        for ext in required where !GLTFLoader.supportedExtensions.contains(ext) {
            throw bad(.unsupportedExtension, "the asset requires glTF extension \(ext), which this loader does not implement")
        }
        let materials = try parseMaterials()
        parsedMaterials = materials
        let images = try parseImages()

        // Roots: the default scene's nodes, else all parentless nodes.
        let nodes = array("nodes")
        var rootsList: [Int]
        let scenes = array("scenes")
        if !scenes.isEmpty {
            let index = (json["scene"] as? Int) ?? 0
            guard index >= 0, index < scenes.count else { throw bad(.badGLTF, "scene \(index) does not exist") }
            rootsList = (scenes[index]["nodes"] as? [Any])?.compactMap { $0 as? Int } ?? []
        } else {
            var isChild = Set<Int>()
            for n in nodes { for c in (n["children"] as? [Any])?.compactMap({ $0 as? Int }) ?? [] { isChild.insert(c) } }
            rootsList = (0..<nodes.count).filter { !isChild.contains($0) }
        }
        var objects: [SceneObject] = []
        var roots: [Mat4] = []
        var visits = 0
        for r in rootsList {
            let local = try nodeMatrix(r)
            let rootIndex = roots.count
            roots.append(yUpToZUp * local * yUpToZUp.affineInverse!)
            var path = Set<Int>()
            try walk(r, parent: .identity, rootIndex: rootIndex, path: &path, visits: &visits, objects: &objects)
        }
        let scene = Scene(objects: objects, roots: roots, materials: materials, images: images, format: format)
        guard scene.triangleCount > 0 else { throw bad(.notAMesh, "the glTF scene has no triangles") }
        return scene
    }

    func nodeMatrix(_ index: Int) throws -> Mat4 {
        let node = try item("nodes", index, "node")
        if let m = node["matrix"] as? [Any] {
            let v = m.compactMap { ($0 as? NSNumber)?.doubleValue }
            guard v.count == 16, v.allSatisfy(\.isFinite) else { throw bad(.badTransform, "node \(index) has an invalid matrix") }
            return Mat4(columnMajor: v)
        }
        func nums(_ key: String, _ count: Int, _ fallback: [Double]) throws -> [Double] {
            guard let raw = node[key] as? [Any] else { return fallback }
            let v = raw.compactMap { ($0 as? NSNumber)?.doubleValue }
            guard v.count == count, v.allSatisfy(\.isFinite) else { throw bad(.badTransform, "node \(index) has an invalid \(key)") }
            return v
        }
        let t = try nums("translation", 3, [0, 0, 0]), r = try nums("rotation", 4, [0, 0, 0, 1]), s = try nums("scale", 3, [1, 1, 1])
        return Mat4.trs(translation: Vec3(t[0], t[1], t[2]), rotation: Quaternion(x: r[0], y: r[1], z: r[2], w: r[3]), scale: Vec3(s[0], s[1], s[2]))
    }

    mutating func walk(_ index: Int, parent: Mat4, rootIndex: Int, path: inout Set<Int>, visits: inout Int, objects: inout [SceneObject]) throws {
        guard !path.contains(index) else { throw bad(.badNodeHierarchy, "node \(index) is its own ancestor (cyclic node hierarchy)") }
        guard path.count < 256 else { throw bad(.badNodeHierarchy, "the node hierarchy is more than 256 levels deep") }
        visits += 1
        try limits.deadline.check()
        guard visits <= limits.maxNodes else { throw bad(.badNodeHierarchy, "more than \(limits.maxNodes) node instances") }
        let node = try item("nodes", index, "node")
        let world = parent * (try nodeMatrix(index))
        if let meshIndex = node["mesh"] as? Int {
            let primitives = try mesh(meshIndex)
            if !primitives.isEmpty {
                let name = (node["name"] as? String) ?? "node\(index)"
                objects.append(SceneObject(name: name, primitives: primitives, worldTransform: yUpToZUp * world, root: rootIndex))
            }
        }
        path.insert(index)
        for child in (node["children"] as? [Any])?.compactMap({ $0 as? Int }) ?? [] {
            try walk(child, parent: world, rootIndex: rootIndex, path: &path, visits: &visits, objects: &objects)
        }
        path.remove(index)
    }

    // MARK: Materials and images

    func textureBinding(_ info: [String: Any], what: String) throws -> TextureBinding? {
        guard let textureIndex = info["index"] as? Int else { return nil }
        let texture = try item("textures", textureIndex, "texture")
        var source = texture["source"] as? Int
        if source == nil, let ext = texture["extensions"] as? [String: Any] {
            // Extension-provided images (basisu, webp, dds) are not decodable here: use no texture.
            _ = ext
            source = nil
        }
        guard let image = source else { return nil }
        guard image >= 0, image < array("images").count else { throw bad(.badGLTF, "texture \(textureIndex) points at missing image \(image)") }
        var wrapS = TextureWrap.repeatWrap, wrapT = TextureWrap.repeatWrap
        if let samplerIndex = texture["sampler"] as? Int {
            let sampler = try item("samplers", samplerIndex, "sampler")
            wrapS = TextureWrap(rawValue: sampler["wrapS"] as? Int ?? 10497) ?? .repeatWrap
            wrapT = TextureWrap(rawValue: sampler["wrapT"] as? Int ?? 10497) ?? .repeatWrap
        }
        var texCoord = info["texCoord"] as? Int ?? 0
        var transform: [Float] = [1, 0, 0, 0, 1, 0]
        if let ext = (info["extensions"] as? [String: Any])?["KHR_texture_transform"] as? [String: Any] {
            func nums(_ key: String, _ fallback: [Double]) -> [Double] {
                let v = (ext[key] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? fallback
                return v.count == fallback.count && v.allSatisfy(\.isFinite) ? v : fallback
            }
            let offset = nums("offset", [0, 0]), scale = nums("scale", [1, 1])
            let rotation = (ext["rotation"] as? NSNumber)?.doubleValue ?? 0
            let c = cos(rotation), s = sin(rotation)
            // T * R * S with R = [[c, s], [-s, c]] (KHR_texture_transform's definition).
            transform = [Float(c * scale[0]), Float(s * scale[1]), Float(offset[0]),
                         Float(-s * scale[0]), Float(c * scale[1]), Float(offset[1])]
            if let tc = ext["texCoord"] as? Int { texCoord = tc }
        }
        return TextureBinding(image: image, wrapS: wrapS, wrapT: wrapT, texCoord: texCoord, uvTransform: transform)
    }

    func parseMaterials() throws -> [Material] {
        var out: [Material] = []
        for (i, m) in array("materials").enumerated() {
            var material = Material(name: (m["name"] as? String) ?? "material\(i)")
            let pbr = m["pbrMetallicRoughness"] as? [String: Any]
            let specGloss = (m["extensions"] as? [String: Any])?["KHR_materials_pbrSpecularGlossiness"] as? [String: Any]
            let factor = (pbr?["baseColorFactor"] as? [Any]) ?? (specGloss?["diffuseFactor"] as? [Any])
            if let f = factor?.compactMap({ ($0 as? NSNumber)?.floatValue }), f.count == 4, f.allSatisfy(\.isFinite) {
                material.baseColorFactor = f.map { min(max($0, 0), 1) }
            }
            if let info = (pbr?["baseColorTexture"] as? [String: Any]) ?? (specGloss?["diffuseTexture"] as? [String: Any]) {
                material.baseColorTexture = try textureBinding(info, what: "baseColorTexture")
            }
            if let mode = m["alphaMode"] as? String {
                material.alphaMode = AlphaMode(rawValue: mode) ?? .opaque
            }
            if let cutoff = (m["alphaCutoff"] as? NSNumber)?.floatValue, cutoff.isFinite { material.alphaCutoff = cutoff }
            material.doubleSided = (m["doubleSided"] as? Bool) ?? false
            out.append(material)
        }
        return out
    }

    mutating func parseImages() throws -> [EncodedImage] {
        var out: [EncodedImage] = []
        for (i, image) in array("images").enumerated() {
            let mime = image["mimeType"] as? String
            if let view = image["bufferView"] as? Int {
                let bytes = try bufferViewBytes(view)
                out.append(EncodedImage(bytes: bytes, mimeType: mime, origin: "image \(i) (bufferView \(view))"))
            } else if let uri = image["uri"] as? String {
                // Images are decoded lazily; an unreadable external image fails at decode time.
                do {
                    let bytes = try resolveURI(uri, what: "image \(i)")
                    out.append(EncodedImage(bytes: bytes, mimeType: mime, origin: uri.hasPrefix("data:") ? "image \(i) (data: URI)" : uri))
                } catch let error as AssetError where error.kind == "missing-file" {
                    out.append(EncodedImage(bytes: [], mimeType: mime, origin: "missing \(uri)"))
                }
            } else {
                out.append(EncodedImage(bytes: [], mimeType: mime, origin: "image \(i) (no data)"))
            }
        }
        return out
    }

    // MARK: Buffers

    func resolveURI(_ uri: String, what: String) throws -> [UInt8] {
        if uri.hasPrefix("data:") {
            guard let comma = uri.firstIndex(of: ",") else { throw bad(.badGLTF, "\(what) has a malformed data: URI") }
            let header = uri[..<comma]
            let payload = String(uri[uri.index(after: comma)...])
            guard header.hasSuffix(";base64") else { throw bad(.badGLTF, "\(what) has a data: URI that is not base64") }
            guard payload.count / 4 * 3 <= limits.maxFileBytes else { throw bad(.fileTooLarge, "\(what) data: URI is over the size limit") }
            guard let data = Data(base64Encoded: payload, options: [.ignoreUnknownCharacters]) else {
                throw bad(.badGLTF, "\(what) has invalid base64 in its data: URI")
            }
            return [UInt8](data)
        }
        guard let folder else { throw bad(.missingFile, "\(what) refers to external file \(uri) but the asset has no folder") }
        let decoded = uri.removingPercentEncoding ?? uri
        if decoded.contains("://") {
            throw bad(.uriEscapesFolder, "\(what) URI \(uri) is remote; only files beside the asset are read")
        }
        do {
            _ = try ContainedPath.check(decoded, what: "\(what) URI")
        } catch {
            throw bad(.uriEscapesFolder, error.message)
        }
        let base = folder.standardizedFileURL.resolvingSymlinksInPath().path
        let target = folder.appendingPathComponent(decoded).standardizedFileURL.resolvingSymlinksInPath()
        guard target.path.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
            throw bad(.uriEscapesFolder, "\(what) URI \(uri) leaves the asset's folder")
        }
        return try GLTFLoader.readLimited(url: target, limits: limits)
    }

    mutating func buffer(_ index: Int) throws -> [UInt8] {
        if let cached = buffers[index] { return cached }
        let info = try item("buffers", index, "buffer")
        let declared = (info["byteLength"] as? Int) ?? -1
        var bytes: [UInt8]
        if let uri = info["uri"] as? String {
            bytes = try resolveURI(uri, what: "buffer \(index)")
        } else if index == 0, let binary {
            bytes = binary
        } else {
            throw bad(.badGLTF, "buffer \(index) has no uri and there is no GLB BIN chunk")
        }
        guard declared >= 0, bytes.count >= declared else {
            throw bad(.badAccessor, "buffer \(index) holds \(bytes.count) bytes, fewer than its byteLength \(declared)")
        }
        if bytes.count > declared { bytes = Array(bytes[0..<declared]) }
        buffers[index] = bytes
        return bytes
    }

    mutating func bufferViewBytes(_ index: Int) throws -> [UInt8] {
        let (bytes, start, length, _) = try bufferView(index)
        return Array(bytes[start..<(start + length)])
    }

    /// (buffer bytes, start offset, byte length, byteStride or nil).
    mutating func bufferView(_ index: Int) throws -> ([UInt8], Int, Int, Int?) {
        let view = try item("bufferViews", index, "bufferView")
        guard let bufferIndex = view["buffer"] as? Int, let length = view["byteLength"] as? Int, length >= 0 else {
            throw bad(.badAccessor, "bufferView \(index) lacks buffer or byteLength")
        }
        let offset = (view["byteOffset"] as? Int) ?? 0
        let bytes = try buffer(bufferIndex)
        guard offset >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw bad(.badAccessor, "bufferView \(index) (offset \(offset), length \(length)) runs past buffer \(bufferIndex) (\(bytes.count) bytes)")
        }
        var stride: Int?
        if let s = view["byteStride"] as? Int {
            guard s >= 4, s <= 252, s % 4 == 0 else { throw bad(.badAccessor, "bufferView \(index) has invalid byteStride \(s)") }
            stride = s
        }
        return (bytes, offset, length, stride)
    }

    // MARK: Accessors

    static func componentCount(_ type: String) -> Int? {
        ["SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16][type]
    }
    static func componentSize(_ ct: Int) -> Int? { [5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4][ct] }

    @inline(__always)
    static func readComponent(_ raw: UnsafeRawBufferPointer, _ offset: Int, _ ct: Int, normalized: Bool) -> Double {
        switch ct {
        case 5120: let v = Double(raw.load(fromByteOffset: offset, as: Int8.self)); return normalized ? max(v / 127, -1) : v
        case 5121: let v = Double(raw.load(fromByteOffset: offset, as: UInt8.self)); return normalized ? v / 255 : v
        case 5122: let v = Double(Int16(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian)); return normalized ? max(v / 32767, -1) : v
        case 5123: let v = Double(raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian); return normalized ? v / 65535 : v
        case 5125: return Double(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
        default: return Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian))
        }
    }

    /// True when `offset + step * count + tail <= length`, computed without overflow (values from
    /// the file may be anywhere up to Int.max).
    static func fits(_ offset: Int, _ step: Int, _ count: Int, _ tail: Int, within length: Int) -> Bool {
        let (span, o1) = step.multipliedReportingOverflow(by: count)
        let (end, o2) = offset.addingReportingOverflow(span)
        let (last, o3) = end.addingReportingOverflow(tail)
        return !o1 && !o2 && !o3 && last <= length
    }

    /// Reads an accessor as doubles (count x components), applying normalisation and sparse substitution.
    mutating func readAccessor(_ index: Int, expectTypes: Set<String>? = nil, what: String) throws -> (values: [Double], components: Int, count: Int) {
        let acc = try item("accessors", index, "accessor")
        guard let ct = acc["componentType"] as? Int, let size = Self.componentSize(ct),
              let type = acc["type"] as? String, let comps = Self.componentCount(type),
              let count = acc["count"] as? Int, count >= 0 else {
            throw bad(.badAccessor, "accessor \(index) (\(what)) has an invalid componentType, type or count")
        }
        if let expectTypes, !expectTypes.contains(type) {
            throw bad(.badAccessor, "accessor \(index) (\(what)) has type \(type), expected \(expectTypes.sorted().joined(separator: "/"))")
        }
        // No accessor needs more elements than three per allowed triangle (plus strip slack): this
        // also bounds accessors without a bufferView, whose zeros would otherwise be free to claim.
        guard count <= 3 * limits.maxTriangles + 2 else {
            throw bad(.tooManyTriangles, "accessor \(index) (\(what)) has \(count) elements, over what \(limits.maxTriangles) triangles can use")
        }
        let normalized = (acc["normalized"] as? Bool) ?? false
        var values = [Double](repeating: 0, count: count * comps)
        if let viewIndex = acc["bufferView"] as? Int {
            let (bytes, start, length, stride) = try bufferView(viewIndex)
            let offset = (acc["byteOffset"] as? Int) ?? 0
            let elementSize = size * comps
            let step = stride ?? elementSize
            guard offset >= 0, count == 0 || Self.fits(offset, step, count - 1, elementSize, within: length) else {
                throw bad(.badAccessor, "accessor \(index) (\(what)): \(count) elements of \(elementSize) bytes at offset \(offset) stride \(step) do not fit bufferView \(viewIndex) (\(length) bytes)")
            }
            try limits.deadline.check()
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    let base = start + offset + i * step
                    for c in 0..<comps { values[i * comps + c] = Self.readComponent(raw, base + c * size, ct, normalized: normalized) }
                }
            }
        }
        if let sparse = acc["sparse"] as? [String: Any] {
            guard let sc = sparse["count"] as? Int, sc >= 0, sc <= count,
                  let idx = sparse["indices"] as? [String: Any], let val = sparse["values"] as? [String: Any],
                  let iView = idx["bufferView"] as? Int, let ict = idx["componentType"] as? Int, [5121, 5123, 5125].contains(ict),
                  let vView = val["bufferView"] as? Int else {
                throw bad(.badAccessor, "accessor \(index) has an invalid sparse block")
            }
            let (ib, istart, ilen, _) = try bufferView(iView)
            let (vb, vstart, vlen, _) = try bufferView(vView)
            let ioff = (idx["byteOffset"] as? Int) ?? 0, voff = (val["byteOffset"] as? Int) ?? 0
            let isz = Self.componentSize(ict)!
            guard ioff >= 0, voff >= 0, Self.fits(ioff, isz, sc, 0, within: ilen), Self.fits(voff, size * comps, sc, 0, within: vlen) else {
                throw bad(.badAccessor, "accessor \(index) sparse data does not fit its bufferViews")
            }
            var targets: [Int] = []
            ib.withUnsafeBytes { raw in
                for i in 0..<sc { targets.append(Int(Self.readComponent(raw, istart + ioff + i * isz, ict, normalized: false))) }
            }
            guard targets.allSatisfy({ $0 >= 0 && $0 < count }) else { throw bad(.badAccessor, "accessor \(index) sparse index out of range") }
            vb.withUnsafeBytes { raw in
                for (i, t) in targets.enumerated() {
                    for c in 0..<comps {
                        values[t * comps + c] = Self.readComponent(raw, vstart + voff + (i * comps + c) * size, ct, normalized: normalized)
                    }
                }
            }
        }
        return (values, comps, count)
    }

    // MARK: Meshes

    mutating func mesh(_ index: Int) throws -> [MeshPrimitive] {
        if let cached = meshCache[index] {
            triangles += cached.reduce(0) { $0 + $1.triangleCount }
            try checkTriangles()
            return cached
        }
        let mesh = try item("meshes", index, "mesh")
        var out: [MeshPrimitive] = []
        for (pi, prim) in ((mesh["primitives"] as? [Any]) ?? []).compactMap({ $0 as? [String: Any] }).enumerated() {
            if let ext = prim["extensions"] as? [String: Any] {
                for name in ["KHR_draco_mesh_compression", "EXT_meshopt_compression"] where ext[name] != nil {
                    throw bad(.unsupportedExtension, "mesh \(index) primitive \(pi) uses \(name), which this loader does not implement")
                }
            }
            let mode = (prim["mode"] as? Int) ?? 4
            guard [4, 5, 6].contains(mode) else { continue } // points and lines are ignored
            guard let attributes = prim["attributes"] as? [String: Any], let posIndex = attributes["POSITION"] as? Int else {
                continue
            }
            let what = "mesh \(index) primitive \(pi)"
            let pos = try readAccessor(posIndex, expectTypes: ["VEC3"], what: "\(what) POSITION")
            let n = pos.count
            guard pos.values.allSatisfy({ $0.isFinite && abs($0) <= limits.maxCoordinate }) else {
                throw bad(.nonFiniteData, "\(what) has non-finite or out-of-range vertex positions")
            }
            func optional(_ key: String, _ types: Set<String>) throws -> (values: [Double], components: Int, count: Int)? {
                guard let i = attributes[key] as? Int else { return nil }
                let a = try readAccessor(i, expectTypes: types, what: "\(what) \(key)")
                guard a.count == n else { throw bad(.badAccessor, "\(what) \(key) has \(a.count) elements, POSITION has \(n)") }
                return a
            }
            var normals: [Float]?
            if let a = try optional("NORMAL", ["VEC3"]) {
                if a.values.allSatisfy(\.isFinite) { normals = a.values.map { Float($0) } } // bad normals: fall back to flat
            }
            let materialIndex = prim["material"] as? Int
            if let m = materialIndex, m < 0 || m >= array("materials").count {
                throw bad(.badGLTF, "\(what) refers to missing material \(m)")
            }
            var uvs: [Float]?
            let texCoordSet: Int = {
                guard let m = materialIndex, m < parsedMaterials.count else { return 0 }
                return parsedMaterials[m].baseColorTexture?.texCoord ?? 0
            }()
            if let a = try optional("TEXCOORD_\(texCoordSet)", ["VEC2"]), a.values.allSatisfy(\.isFinite) {
                uvs = a.values.map { Float($0) }
            }
            var colors: [Float]?
            if let a = try optional("COLOR_0", ["VEC3", "VEC4"]), a.values.allSatisfy(\.isFinite) {
                var c = [Float](repeating: 1, count: n * 4)
                for i in 0..<n { for k in 0..<a.components { c[i * 4 + k] = Float(min(max(a.values[i * a.components + k], 0), 1)) } }
                colors = c
            }
            var indices: [UInt32]
            if let ii = prim["indices"] as? Int {
                let acc = try item("accessors", ii, "accessor")
                guard let ct = acc["componentType"] as? Int, [5121, 5123, 5125].contains(ct) else {
                    throw bad(.badAccessor, "\(what) index accessor \(ii) must be unsigned byte, short or int")
                }
                let a = try readAccessor(ii, expectTypes: ["SCALAR"], what: "\(what) indices")
                var raw = [UInt32](); raw.reserveCapacity(a.count)
                for v in a.values {
                    guard v >= 0, v < Double(n) else {
                        throw bad(.badIndex, "\(what) has vertex index \(Int(v)) but only \(n) vertices")
                    }
                    raw.append(UInt32(v))
                }
                indices = raw
            } else {
                indices = (0..<UInt32(n)).map { $0 }
            }
            indices = Self.triangulate(indices, mode: mode)
            guard !indices.isEmpty else { continue }
            triangles += indices.count / 3
            try checkTriangles()
            out.append(MeshPrimitive(positions: pos.values.map { Float($0) }, normals: normals, uvs: uvs, colors: colors,
                                     indices: indices, material: materialIndex))
        }
        meshCache[index] = out
        return out
    }

    func checkTriangles() throws {
        guard triangles <= limits.maxTriangles else {
            throw bad(.tooManyTriangles, "the asset has more than \(limits.maxTriangles) triangles")
        }
    }

    /// Triangle list from triangles (4), strip (5) or fan (6) indices; degenerate triangles dropped.
    static func triangulate(_ idx: [UInt32], mode: Int) -> [UInt32] {
        var out: [UInt32] = []
        switch mode {
        case 5:
            guard idx.count >= 3 else { return [] }
            for i in 0..<(idx.count - 2) {
                if i % 2 == 0 { out += [idx[i], idx[i + 1], idx[i + 2]] } else { out += [idx[i + 1], idx[i], idx[i + 2]] }
            }
        case 6:
            guard idx.count >= 3 else { return [] }
            for i in 1..<(idx.count - 1) { out += [idx[0], idx[i], idx[i + 1]] }
        default:
            out = Array(idx.prefix(idx.count / 3 * 3))
        }
        var clean: [UInt32] = []
        clean.reserveCapacity(out.count)
        for t in stride(from: 0, to: out.count, by: 3) where out[t] != out[t + 1] && out[t + 1] != out[t + 2] && out[t] != out[t + 2] {
            clean += [out[t], out[t + 1], out[t + 2]]
        }
        return clean
    }
}
