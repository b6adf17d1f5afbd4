import Foundation
import Geometry

/// An image as stored in the asset (PNG/JPEG bytes), decoded on demand by `TextureImage`.
public struct EncodedImage: Sendable {
    public var bytes: [UInt8]
    /// "image/png", "image/jpeg" or nil when unknown (sniffed from the bytes when decoding).
    public var mimeType: String?
    /// Where it came from (file name, "data: URI" or "bufferView N"), for error messages.
    public var origin: String
    public init(bytes: [UInt8], mimeType: String?, origin: String) {
        self.bytes = bytes
        self.mimeType = mimeType
        self.origin = origin
    }
}

/// A decoded texture: RGBA8 pixels, rows top to bottom, colour channels sRGB-encoded.
public struct TextureImage: Sendable {
    public var width: Int
    public var height: Int
    /// width * height * 4 bytes.
    public var pixels: [UInt8]
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 4)
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// Texture wrap mode (glTF sampler wrapS / wrapT).
public enum TextureWrap: Int, Sendable {
    case repeatWrap = 10497
    case clampToEdge = 33071
    case mirroredRepeat = 33648
}

/// A texture reference: which image, how it wraps, which UV set, and the UV transform.
public struct TextureBinding: Sendable {
    /// Index into `Scene.images`.
    public var image: Int
    public var wrapS: TextureWrap
    public var wrapT: TextureWrap
    /// Which TEXCOORD_n set feeds it.
    public var texCoord: Int
    /// KHR_texture_transform as a 2x3 affine matrix (row-major, applied to (u, v, 1)).
    public var uvTransform: [Float]

    public init(image: Int, wrapS: TextureWrap = .repeatWrap, wrapT: TextureWrap = .repeatWrap,
                texCoord: Int = 0, uvTransform: [Float] = [1, 0, 0, 0, 1, 0]) {
        self.image = image
        self.wrapS = wrapS
        self.wrapT = wrapT
        self.texCoord = texCoord
        self.uvTransform = uvTransform
    }
}

/// glTF alpha modes.
public enum AlphaMode: String, Sendable {
    case opaque = "OPAQUE"
    case mask = "MASK"
    case blend = "BLEND"
}

/// A material: the parts of glTF's metallic-roughness material the renderer uses.
public struct Material: Sendable {
    public var name: String
    /// Linear RGBA multiplier.
    public var baseColorFactor: [Float]
    public var baseColorTexture: TextureBinding?
    public var alphaMode: AlphaMode
    public var alphaCutoff: Float
    public var doubleSided: Bool

    public init(name: String = "default", baseColorFactor: [Float] = [1, 1, 1, 1], baseColorTexture: TextureBinding? = nil,
                alphaMode: AlphaMode = .opaque, alphaCutoff: Float = 0.5, doubleSided: Bool = false) {
        self.name = name
        self.baseColorFactor = baseColorFactor
        self.baseColorTexture = baseColorTexture
        self.alphaMode = alphaMode
        self.alphaCutoff = alphaCutoff
        self.doubleSided = doubleSided
    }

    /// glTF's default material (white, opaque, single-sided).
    public static let gltfDefault = Material()
}

/// One triangle list sharing a material, in its object's local frame.
public struct MeshPrimitive: Sendable {
    /// xyz per vertex.
    public var positions: [Float]
    /// xyz per vertex, or nil (flat normals are used).
    public var normals: [Float]?
    /// uv per vertex of the set the material's texture reads, or nil.
    public var uvs: [Float]?
    /// Linear rgba per vertex, or nil.
    public var colors: [Float]?
    /// Three vertex indices per triangle (counter-clockwise front faces).
    public var indices: [UInt32]
    /// Index into `Scene.materials`, or nil for the default material.
    public var material: Int?

    public init(positions: [Float], normals: [Float]? = nil, uvs: [Float]? = nil, colors: [Float]? = nil,
                indices: [UInt32], material: Int? = nil) {
        self.positions = positions
        self.normals = normals
        self.uvs = uvs
        self.colors = colors
        self.indices = indices
        self.material = material
    }

    public var vertexCount: Int { positions.count / 3 }
    public var triangleCount: Int { indices.count / 3 }

    /// The box of the vertices actually used by triangles (local frame).
    public var bounds: Box3 {
        var b = Box3.empty
        for i in indices {
            let k = Int(i) * 3
            b.include(Vec3(Double(positions[k]), Double(positions[k + 1]), Double(positions[k + 2])))
        }
        return b
    }
}

/// A mesh object as Blender would hold it after import: primitives in a local frame plus a
/// world transform and the root object it hangs under (zero123's normalisation scales roots).
public struct SceneObject: Sendable {
    public var name: String
    public var primitives: [MeshPrimitive]
    /// Local-to-world, in the Z-up world.
    public var worldTransform: Mat4
    /// Index into `Scene.roots`.
    public var root: Int

    public init(name: String, primitives: [MeshPrimitive], worldTransform: Mat4, root: Int) {
        self.name = name
        self.primitives = primitives
        self.worldTransform = worldTransform
        self.root = root
    }

    /// The local box of all vertices (Blender's `bound_box` of the mesh data).
    public var localBounds: Box3 {
        var b = Box3.empty
        for p in primitives {
            for k in stride(from: 0, to: p.positions.count, by: 3) {
                b.include(Vec3(Double(p.positions[k]), Double(p.positions[k + 1]), Double(p.positions[k + 2])))
            }
        }
        return b
    }

    public var triangleCount: Int { primitives.reduce(0) { $0 + $1.triangleCount } }
}

/// A loaded asset in the Z-up world of Blender and Zero-1-to-3.
public struct Scene: Sendable {
    public var objects: [SceneObject]
    /// World matrices of the root objects (glTF scene roots, or one per OBJ/PLY object).
    public var roots: [Mat4]
    public var materials: [Material]
    public var images: [EncodedImage]
    /// "gltf", "glb", "obj", "ply".
    public var format: String

    public init(objects: [SceneObject], roots: [Mat4], materials: [Material], images: [EncodedImage], format: String) {
        self.objects = objects
        self.roots = roots
        self.materials = materials
        self.images = images
        self.format = format
    }

    public var triangleCount: Int { objects.reduce(0) { $0 + $1.triangleCount } }

    /// zero123's `scene_bbox`: the union of each mesh object's local box corners carried into the world.
    public var blenderBounds: Box3 {
        var b = Box3.empty
        for o in objects { b.include(o.localBounds.transformedCorners(o.worldTransform)) }
        return b
    }

    /// The exact world box of the triangles' vertices.
    public var vertexBounds: Box3 {
        var b = Box3.empty
        for o in objects {
            for p in o.primitives {
                for k in stride(from: 0, to: p.positions.count, by: 3) {
                    b.include(o.worldTransform.transformPoint(Vec3(Double(p.positions[k]), Double(p.positions[k + 1]), Double(p.positions[k + 2]))))
                }
            }
        }
        return b
    }
}

/// What `Scene.normalizedLikeZero123()` did.
public struct Normalization: Sendable, Equatable {
    /// `scene_bbox()` before normalisation.
    public var boundsBefore: Box3
    /// 1 / max extent.
    public var scale: Double
    /// The translation added to every root after scaling.
    public var offset: Vec3
    /// `scene_bbox()` after normalisation (inside [-0.5, 0.5]^3, centred).
    public var boundsAfter: Box3
}

extension Scene {
    /// zero123's `normalize_scene` (objaverse-rendering/scripts/blender_script.py): measure the
    /// box of every mesh object's `bound_box` corners under `matrix_world`, multiply every root
    /// object's scale by 1 / max extent (a scale about each root's own origin), measure again,
    /// then add -(min + max) / 2 to every root's translation.
    public func normalizedLikeZero123() throws -> (Scene, Normalization) {
        let before = blenderBounds
        guard !before.isEmpty, before.min.isFinite, before.max.isFinite else {
            throw AssetError(.notAMesh, message: "the asset has no triangles to render")
        }
        let extent = max(before.size.x, max(before.size.y, before.size.z))
        guard extent > 0, extent.isFinite else {
            throw AssetError(.degenerateMesh, message: "the asset's bounding box has zero size")
        }
        let s = 1 / extent
        var out = self
        var rootScale: [Mat4] = []
        for r in roots {
            guard let inverse = r.affineInverse else {
                throw AssetError(.badTransform, message: "a root node's transform is singular")
            }
            rootScale.append(r * Mat4.scale(Vec3(s, s, s)) * inverse)
        }
        for i in out.objects.indices {
            out.objects[i].worldTransform = rootScale[out.objects[i].root] * out.objects[i].worldTransform
        }
        for i in out.roots.indices { out.roots[i] = out.roots[i] * Mat4.scale(Vec3(s, s, s)) }
        let mid = out.blenderBounds
        let offset = -(mid.min + mid.max) / 2
        let shift = Mat4.translation(offset)
        for i in out.objects.indices { out.objects[i].worldTransform = shift * out.objects[i].worldTransform }
        for i in out.roots.indices { out.roots[i] = shift * out.roots[i] }
        return (out, Normalization(boundsBefore: before, scale: s, offset: offset, boundsAfter: out.blenderBounds))
    }
}
