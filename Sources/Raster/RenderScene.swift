import Foundation
import Geometry
import Assets
import Imaging

/// A texture in linear light (sRGB decoded), RGBA float, rows top to bottom.
struct LinearTexture: Sendable {
    let width: Int, height: Int
    /// Offset of the first texel's red channel in `RenderScene.texels`.
    let offset: Int
    let wrapS: TextureWrap, wrapT: TextureWrap
}

/// A material resolved for rendering.
struct RenderMaterial: Sendable {
    var factor: (Float, Float, Float, Float)
    var texture: Int?  // index into RenderScene.textures
    var uv0: Float, uv1: Float, uv2: Float, uv3: Float, uv4: Float, uv5: Float
    var alphaMode: AlphaMode
    var alphaCutoff: Float
    var doubleSided: Bool
}

/// sRGB transfer (Imaging's tables).
enum SRGBTables {
    static let toLinear: [Float] = SRGB.toLinear
    @inline(__always) static func encode(_ linear: Float) -> UInt8 { SRGB.encode(linear) }
}

/// A normalised scene flattened for rasterisation: world-space vertices, per-triangle material.
/// Build it once per asset (textures are decoded here) and render any number of views.
public struct RenderScene: Sendable {
    var positions: [Float]   // xyz world
    var normals: [Float]     // xyz world (zero when the primitive had none: flat shading)
    var uvs: [Float]         // uv (0 when none)
    var colors: [Float]      // rgba linear
    var indices: [UInt32]
    var triangleMaterial: [Int32]
    var materials: [RenderMaterial]
    var textures: [LinearTexture]
    var texels: [Float]
    var hasSmoothNormals: [Bool]  // per triangle
    var hasVertexColors: Bool
    var triangleIds: [Int32]      // 0, 1, ... triangleCount - 1: the clipped triangles' sources when nothing is clipped
    var vertexIds: [UInt32]       // 0, 1, ... vertex count - 1: every scene vertex is its own blend source
    var vertexZeros: [Float]      // a zero blend weight per vertex

    /// Number of triangles.
    public var triangleCount: Int { indices.count / 3 }

    /// How an undecodable texture is treated.
    public enum TexturePolicy: Sendable {
        /// Throw `unreadable-texture`.
        case refuse
        /// Render the material without its texture when it cannot be decoded.
        case ignore
        /// Do not decode textures at all (base colour factors only; masks and fast previews).
        case skip
    }

    /// Flattens `scene` (already normalised, if wanted) into world-space triangles, decoding
    /// textures with `decoder`.
    public init(scene: Scene, limits: AssetLimits = .default, texturePolicy: TexturePolicy = .refuse,
                decoder: (EncodedImage, AssetLimits) throws -> TextureImage = TextureDecoding.decode) throws {
        var textures: [LinearTexture] = []
        var texels: [Float] = []
        var imageToTexture: [String: Int] = [:]
        var materials: [RenderMaterial] = []
        let sourceMaterials = scene.materials + [Material.gltfDefault]
        for m in sourceMaterials {
            var texIndex: Int?
            if texturePolicy != .skip, let binding = m.baseColorTexture, binding.image >= 0, binding.image < scene.images.count {
                let key = "\(binding.image)/\(binding.wrapS.rawValue)/\(binding.wrapT.rawValue)"
                if let existing = imageToTexture[key] {
                    texIndex = existing
                } else {
                    do {
                        let image = try decoder(scene.images[binding.image], limits)
                        let lut = SRGBTables.toLinear
                        var data = [Float](repeating: 0, count: image.width * image.height * 4)
                        image.pixels.withUnsafeBufferPointer { px in
                            for i in 0..<(image.width * image.height) {
                                data[i * 4] = lut[Int(px[i * 4])]
                                data[i * 4 + 1] = lut[Int(px[i * 4 + 1])]
                                data[i * 4 + 2] = lut[Int(px[i * 4 + 2])]
                                data[i * 4 + 3] = Float(px[i * 4 + 3]) / 255
                            }
                        }
                        textures.append(LinearTexture(width: image.width, height: image.height, offset: texels.count, wrapS: binding.wrapS, wrapT: binding.wrapT))
                        texels += data
                        texIndex = textures.count - 1
                        imageToTexture[key] = texIndex
                    } catch {
                        if texturePolicy == .refuse {
                            if let e = error as? AssetError { throw e }
                            throw AssetError(.unreadableTexture, message: "texture \(scene.images[binding.image].origin): \(error)")
                        }
                    }
                }
            }
            let f = m.baseColorFactor
            let u = m.baseColorTexture?.uvTransform ?? [1, 0, 0, 0, 1, 0]
            materials.append(RenderMaterial(factor: (f[0], f[1], f[2], f[3]), texture: texIndex,
                                            uv0: u[0], uv1: u[1], uv2: u[2], uv3: u[3], uv4: u[4], uv5: u[5],
                                            alphaMode: m.alphaMode, alphaCutoff: m.alphaCutoff, doubleSided: m.doubleSided))
        }
        let defaultMaterial = Int32(materials.count - 1)
        var positions: [Float] = [], normals: [Float] = [], uvs: [Float] = [], colors: [Float] = []
        var indices: [UInt32] = [], triMaterial: [Int32] = [], smooth: [Bool] = []
        for object in scene.objects {
            let w = object.worldTransform
            let flip = w.linear.determinant < 0
            let normalMatrix = w.affineInverse.map { $0.linear.transposed } ?? Mat3.identity
            for p in object.primitives {
                let base = UInt32(positions.count / 3)
                let n = p.vertexCount
                for v in 0..<n {
                    let q = w.transformPoint(Vec3(Double(p.positions[v * 3]), Double(p.positions[v * 3 + 1]), Double(p.positions[v * 3 + 2])))
                    positions += [Float(q.x), Float(q.y), Float(q.z)]
                    if let nn = p.normals {
                        let d = (normalMatrix * Vec3(Double(nn[v * 3]), Double(nn[v * 3 + 1]), Double(nn[v * 3 + 2]))).normalized
                        normals += [Float(d.x), Float(d.y), Float(d.z)]
                    } else {
                        normals += [0, 0, 0]
                    }
                    if let uv = p.uvs { uvs += [uv[v * 2], uv[v * 2 + 1]] } else { uvs += [0, 0] }
                    if let c = p.colors { colors += [c[v * 4], c[v * 4 + 1], c[v * 4 + 2], c[v * 4 + 3]] } else { colors += [1, 1, 1, 1] }
                }
                let mat = p.material.map { Int32($0) } ?? defaultMaterial
                for t in stride(from: 0, to: p.indices.count, by: 3) {
                    if flip {
                        indices += [base + p.indices[t], base + p.indices[t + 2], base + p.indices[t + 1]]
                    } else {
                        indices += [base + p.indices[t], base + p.indices[t + 1], base + p.indices[t + 2]]
                    }
                    triMaterial.append(mat)
                    smooth.append(p.normals != nil)
                }
            }
        }
        self.positions = positions
        self.normals = normals
        self.uvs = uvs
        self.colors = colors
        self.indices = indices
        self.triangleMaterial = triMaterial
        self.materials = materials
        self.textures = textures
        self.texels = texels
        self.hasSmoothNormals = smooth
        self.triangleIds = (0..<Int32(triMaterial.count)).map { $0 }
        self.vertexIds = (0..<UInt32(positions.count / 3)).map { $0 }
        self.vertexZeros = [Float](repeating: 0, count: positions.count / 3)
        self.hasVertexColors = scene.objects.contains { $0.primitives.contains { $0.colors != nil } }
    }
}
