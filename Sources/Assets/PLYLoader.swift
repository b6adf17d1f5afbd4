import Foundation
import Geometry
import Support

/// Stanford PLY (ascii, binary_little_endian, binary_big_endian): vertices x y z, optional
/// nx ny nz, red green blue [alpha] (uchar 0..255 or float 0..1), s t / u v texture coordinates,
/// faces as `vertex_indices` / `vertex_index` lists (fan-triangulated), and `tristrips` (the
/// Stanford/Cyberware triangle strips of e.g. igea.ply: one `vertex_indices` list per record, -1
/// restarting a strip, winding alternating within each strip and restarting with it, as VCGlib's
/// PLY importer reads them). Other elements are skipped. PLY has no axis convention; like
/// Blender's PLY importer the data is taken as Z-up.
///
/// Hostile headers are refused, never trapped on or looped over: a list property where a scalar
/// is read (a vertex coordinate, normal, colour or uv) is an error, element counts are checked
/// against the bytes left, elements without properties cost nothing, and the loops poll
/// `limits.deadline`.
public enum PLYLoader {
    /// Loads a PLY file (ascii, binary little or big endian) within `limits`.
    public static func load(url: URL, limits: AssetLimits = .default) throws -> Scene {
        try parse(try GLTFLoader.readLimited(url: url, limits: limits), limits: limits)
    }

    struct Property { var name: String; var type: String; var listCount: String? }
    struct Element { var name: String; var count: Int; var properties: [Property] }

    static func size(_ t: String) -> Int? {
        switch t {
        case "char", "uchar", "int8", "uint8": return 1
        case "short", "ushort", "int16", "uint16": return 2
        case "int", "uint", "int32", "uint32", "float", "float32": return 4
        case "double", "float64": return 8
        default: return nil
        }
    }

    /// Parses PLY bytes: vertices (with colours when present) and polygon faces, triangulated.
    public static func parse(_ bytes: [UInt8], limits: AssetLimits = .default) throws -> Scene {
        let header = try readHeader(bytes)
        var reader = PLYReader(bytes: bytes, offset: header.end, format: header.format)
        var vertices = Vertices()
        var faces: [UInt32] = []
        for element in header.elements {
            try limits.deadline.check()
            let (needed, overflow) = element.count.multipliedReportingOverflow(by: minimumRecordBytes(element, format: header.format))
            guard !overflow, needed <= bytes.count - reader.offset else {
                throw fail("element \(element.name) declares \(element.count) records but only \(bytes.count - reader.offset) bytes remain")
            }
            if element.properties.isEmpty { continue }
            switch element.name {
            case "vertex": vertices = try readVertices(element, reader: &reader, limits: limits)
            case "face": faces += try readFaces(element, reader: &reader, vertexCount: vertices.count, limits: limits, already: faces.count)
            case "tristrips":
                faces += try readTriangleStrips(element, reader: &reader, vertexCount: vertices.count, limits: limits, already: faces.count)
            default: try skip(element, reader: &reader, deadline: limits.deadline)
            }
        }
        guard !faces.isEmpty else { throw AssetError(.notAMesh, message: "the PLY has no faces") }
        let prim = MeshPrimitive(positions: vertices.positions, normals: vertices.hasNormals ? vertices.normals : nil,
                                 uvs: vertices.hasUV ? vertices.uvs : nil, colors: vertices.hasColors ? vertices.colors : nil,
                                 indices: faces, material: 0)
        return Scene(objects: [SceneObject(name: "ply", primitives: [prim], worldTransform: .identity, root: 0)],
                     roots: [.identity], materials: [Material(name: "default", doubleSided: true)], images: [], format: "ply")
    }

    /// The fewest bytes one record of `element` can take: its scalar sizes and list counts in
    /// binary, one character and a separator per property in ascii.
    static func minimumRecordBytes(_ element: Element, format: String) -> Int {
        if format == "ascii" { return max(2 * element.properties.count - 1, 0) }
        return element.properties.reduce(0) { $0 + (size($1.listCount ?? $1.type) ?? 1) }
    }

    static func fail(_ why: String) -> AssetError { AssetError(.badPLY, message: "PLY: \(why)") }

    /// Phase 1: the header up to "end_header\n": the format and the elements with their properties.
    static func readHeader(_ bytes: [UInt8]) throws -> (format: String, elements: [Element], end: Int) {
        guard bytes.count >= 4, bytes[0] == 0x70, bytes[1] == 0x6C, bytes[2] == 0x79 else { throw fail("missing 'ply' magic") }
        let marker = Array("end_header".utf8)
        var headerEnd = -1
        var i = 0
        while i + marker.count <= min(bytes.count, 1 << 20) {
            if bytes[i] == 0x65, Array(bytes[i..<(i + marker.count)]) == marker { headerEnd = i + marker.count; break }
            i += 1
        }
        guard headerEnd > 0 else { throw fail("no end_header") }
        while headerEnd < bytes.count, bytes[headerEnd] == 0x0D || bytes[headerEnd] == 0x20 { headerEnd += 1 }
        if headerEnd < bytes.count, bytes[headerEnd] == 0x0A { headerEnd += 1 }
        var format = ""
        var elements: [Element] = []
        for line in String(decoding: bytes[0..<headerEnd], as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let p = line.split(separator: " ")
            guard let head = p.first else { continue }
            switch head {
            case "format": format = p.count > 1 ? String(p[1]) : ""
            case "element":
                guard p.count >= 3, let n = Int(p[2]), n >= 0, n <= 500_000_000 else { throw fail("bad element line") }
                elements.append(Element(name: String(p[1]), count: n, properties: []))
            case "property":
                guard !elements.isEmpty else { throw fail("property before element") }
                if p.count >= 5, p[1] == "list" {
                    guard size(String(p[2])) != nil, size(String(p[3])) != nil else { throw fail("unknown list type") }
                    elements[elements.count - 1].properties.append(Property(name: String(p[4]), type: String(p[3]), listCount: String(p[2])))
                } else if p.count >= 3 {
                    guard size(String(p[1])) != nil else { throw fail("unknown property type \(p[1])") }
                    elements[elements.count - 1].properties.append(Property(name: String(p[2]), type: String(p[1]), listCount: nil))
                } else { throw fail("bad property line") }
            default: continue
            }
        }
        guard ["ascii", "binary_little_endian", "binary_big_endian"].contains(format) else { throw fail("unknown format '\(format)'") }
        return (format, elements, headerEnd)
    }

    /// The vertex element's data, flattened.
    struct Vertices {
        var count = 0
        var positions: [Float] = [], normals: [Float] = [], colors: [Float] = [], uvs: [Float] = []
        var hasNormals = false, hasColors = false, hasUV = false
    }

    /// Phase 2: the vertices: positions (finite, within the limits), normals, colours (scaled from
    /// their integer type to 0...1) and texture coordinates (v flipped) when present.
    static func readVertices(_ element: Element, reader: inout PLYReader, limits: AssetLimits) throws -> Vertices {
        var out = Vertices()
        out.count = element.count
        let names = element.properties.map(\.name)
        out.hasNormals = names.contains("nx") && names.contains("ny") && names.contains("nz")
        out.hasColors = names.contains("red") && names.contains("green") && names.contains("blue")
        let uName = names.contains("s") ? "s" : (names.contains("u") ? "u" : (names.contains("texture_u") ? "texture_u" : nil))
        let vName = names.contains("t") ? "t" : (names.contains("v") ? "v" : (names.contains("texture_v") ? "texture_v" : nil))
        out.hasUV = uName != nil && vName != nil
        guard names.contains("x"), names.contains("y"), names.contains("z") else { throw fail("vertex element lacks x, y or z") }
        let scalars: Set<String> = ["x", "y", "z", "nx", "ny", "nz", "red", "green", "blue", "alpha",
                                    "s", "t", "u", "v", "texture_u", "texture_v"]
        if let list = element.properties.first(where: { $0.listCount != nil && scalars.contains($0.name) }) {
            throw fail("vertex property \(list.name) is declared as a list; it must be a scalar")
        }
        out.positions.reserveCapacity(element.count * 3)
        for _ in 0..<element.count {
            try limits.deadline.check()
            var values: [String: Double] = [:]
            var colorScale: [String: Double] = [:]
            for prop in element.properties {
                if let lc = prop.listCount {
                    let n = try reader.count(lc); for _ in 0..<n { _ = try reader.read(prop.type) }
                } else {
                    values[prop.name] = try reader.read(prop.type)
                    if ["uchar", "uint8"].contains(prop.type) { colorScale[prop.name] = 255 }
                    if ["ushort", "uint16"].contains(prop.type) { colorScale[prop.name] = 65535 }
                }
            }
            let x = values["x"]!, y = values["y"]!, z = values["z"]!
            guard x.isFinite, y.isFinite, z.isFinite, max(abs(x), abs(y), abs(z)) <= limits.maxCoordinate else {
                throw AssetError(.nonFiniteData, message: "PLY has a non-finite or out-of-range vertex")
            }
            out.positions += [Float(x), Float(y), Float(z)]
            if out.hasNormals { out.normals += [Float(values["nx"]!), Float(values["ny"]!), Float(values["nz"]!)] }
            if out.hasColors {
                for c in ["red", "green", "blue", "alpha"] {
                    let v = (values[c] ?? colorScale[c].map { $0 } ?? 1) / (colorScale[c] ?? 1)
                    out.colors.append(Float(min(max(v.isFinite ? v : 1, 0), 1)))
                }
            }
            if out.hasUV, let uName, let vName { out.uvs += [Float(values[uName]!), Float(1 - values[vName]!)] }
        }
        return out
    }

    /// Phase 3: the faces, fan-triangulated, every index checked against `vertexCount`, at most
    /// `limits.maxTriangles` triangles counting the `already` indices read.
    static func readFaces(_ element: Element, reader: inout PLYReader, vertexCount: Int, limits: AssetLimits, already: Int) throws -> [UInt32] {
        guard let list = element.properties.first(where: { ($0.name == "vertex_indices" || $0.name == "vertex_index") && $0.listCount != nil }) else {
            throw fail("face element has no vertex_indices list")
        }
        var faces: [UInt32] = []
        for _ in 0..<element.count {
            try limits.deadline.check()
            for prop in element.properties {
                if let lc = prop.listCount {
                    let n = try reader.count(lc)
                    var poly: [UInt32] = []
                    for _ in 0..<n {
                        let v = try reader.read(prop.type)
                        if prop.name == list.name {
                            guard v >= 0, v < Double(vertexCount) else {
                                throw AssetError(.badIndex, message: "PLY face refers to vertex \(v) of \(vertexCount)")
                            }
                            poly.append(UInt32(v))
                        }
                    }
                    if prop.name == list.name, poly.count >= 3 {
                        for k in 1..<(poly.count - 1) { faces += [poly[0], poly[k], poly[k + 1]] }
                        guard (already + faces.count) / 3 <= limits.maxTriangles else {
                            throw AssetError(.tooManyTriangles, message: "the PLY has more than \(limits.maxTriangles) triangles")
                        }
                    }
                } else { _ = try reader.read(prop.type) }
            }
        }
        return faces
    }

    /// Phase 3b: `tristrips` records, each a `vertex_indices` list of strips separated by -1;
    /// within a strip, triangle k is (s[k], s[k+1], s[k+2]) for even k and (s[k+1], s[k], s[k+2])
    /// for odd k (alternating winding keeps every triangle facing the same way); degenerate
    /// triangles (a repeated index, used to join strips) are dropped.
    static func readTriangleStrips(_ element: Element, reader: inout PLYReader, vertexCount: Int, limits: AssetLimits,
                                   already: Int) throws -> [UInt32] {
        guard let list = element.properties.first(where: { ($0.name == "vertex_indices" || $0.name == "vertex_index") && $0.listCount != nil }) else {
            throw fail("tristrips element has no vertex_indices list")
        }
        var triangles: [UInt32] = []
        var strip: [UInt32] = []
        func flush() throws {
            if strip.count >= 3 {
                for k in 0..<(strip.count - 2) {
                    let (a, b, c) = k % 2 == 0 ? (strip[k], strip[k + 1], strip[k + 2]) : (strip[k + 1], strip[k], strip[k + 2])
                    if a != b && b != c && a != c { triangles += [a, b, c] }
                }
                guard (already + triangles.count) / 3 <= limits.maxTriangles else {
                    throw AssetError(.tooManyTriangles, message: "the PLY has more than \(limits.maxTriangles) triangles")
                }
            }
            strip.removeAll(keepingCapacity: true)
        }
        for _ in 0..<element.count {
            try limits.deadline.check()
            for prop in element.properties {
                guard let lc = prop.listCount else { _ = try reader.read(prop.type); continue }
                let n = try reader.count(lc)
                for _ in 0..<n {
                    let v = try reader.read(prop.type)
                    guard prop.name == list.name else { continue }
                    if v == -1 { try flush(); continue }
                    guard v >= 0, v < Double(vertexCount), v == v.rounded() else {
                        throw AssetError(.badIndex, message: "PLY strip refers to vertex \(v) of \(vertexCount)")
                    }
                    strip.append(UInt32(v))
                }
                if prop.name == list.name { try flush() }
            }
        }
        return triangles
    }

    /// Reads past an element the loader does not use.
    static func skip(_ element: Element, reader: inout PLYReader, deadline: Deadline) throws {
        for _ in 0..<element.count {
            try deadline.check()
            for prop in element.properties {
                if let lc = prop.listCount {
                    let n = try reader.count(lc)
                    for _ in 0..<n { _ = try reader.read(prop.type) }
                } else { _ = try reader.read(prop.type) }
            }
        }
    }
}

struct PLYReader {
    let bytes: [UInt8]
    var offset: Int
    let format: String
    init(bytes: [UInt8], offset: Int, format: String) { self.bytes = bytes; self.offset = offset; self.format = format }

    /// A list length: a whole number in 0...1,000,000 (anything else is refused, never trapped on).
    mutating func count(_ type: String) throws -> Int {
        let v = try read(type)
        guard v.isFinite, v >= 0, v <= 1_000_000, v == v.rounded() else {
            throw AssetError(.badPLY, message: "PLY: invalid list length \(v)")
        }
        return Int(v)
    }

    mutating func read(_ type: String) throws -> Double {
        if format == "ascii" {
            while offset < bytes.count, bytes[offset] == 0x20 || bytes[offset] == 0x0A || bytes[offset] == 0x0D || bytes[offset] == 0x09 { offset += 1 }
            let start = offset
            while offset < bytes.count, !(bytes[offset] == 0x20 || bytes[offset] == 0x0A || bytes[offset] == 0x0D || bytes[offset] == 0x09) { offset += 1 }
            guard offset > start, let v = Double(String(decoding: bytes[start..<offset], as: UTF8.self)) else {
                throw AssetError(.badPLY, message: "PLY: truncated or malformed ascii data")
            }
            return v
        }
        let n = PLYLoader.size(type)!
        guard offset + n <= bytes.count else { throw AssetError(.badPLY, message: "PLY: binary data is truncated") }
        var raw: UInt64 = 0
        if format == "binary_little_endian" {
            for k in 0..<n { raw |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        } else {
            for k in 0..<n { raw = raw << 8 | UInt64(bytes[offset + k]) }
        }
        offset += n
        switch type {
        case "char", "int8": return Double(Int8(truncatingIfNeeded: raw))
        case "uchar", "uint8": return Double(UInt8(truncatingIfNeeded: raw))
        case "short", "int16": return Double(Int16(truncatingIfNeeded: raw))
        case "ushort", "uint16": return Double(UInt16(truncatingIfNeeded: raw))
        case "int", "int32": return Double(Int32(truncatingIfNeeded: raw))
        case "uint", "uint32": return Double(UInt32(truncatingIfNeeded: raw))
        case "float", "float32": return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
        default: return Double(bitPattern: raw)
        }
    }
}
