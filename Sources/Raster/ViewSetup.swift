import Assets
import Geometry

/// Everything one view's bands read (immutable, shared between threads): the clipped triangles
/// and the scene's attributes, with the per-fragment colour and shading rules.
struct ViewSetup: @unchecked Sendable {
    let scene: RenderScene
    let src0: [UInt32], src1: [UInt32], st: [Float]
    let tris: [UInt32]
    let triOrig: [Int32]
    let front: [Bool]
    let W: Int, H: Int, ss: Int
    let settings: RenderSettings
    let light: ShadingLight

    struct Fragment { var r: Float, g: Float, b: Float, a: Float }

    /// Attribute `k` components of a setup vertex from array `arr` with `n` components.
    @inline(__always)
    func attr(_ arr: UnsafeBufferPointer<Float>, _ v: Int, _ n: Int, _ k: Int) -> Float {
        let i0 = Int(src0[v]), i1 = Int(src1[v])
        if i0 == i1 { return arr[i0 * n + k] }
        let s = st[v]
        return arr[i0 * n + k] * (1 - s) + arr[i1 * n + k] * s
    }

    /// The unshaded base colour (linear rgba) of setup triangle `s` at perspective barycentrics.
    @inline(__always)
    func baseColor(_ s: Int, _ p0: Float, _ p1: Float, _ p2: Float, uvs: UnsafeBufferPointer<Float>, colors: UnsafeBufferPointer<Float>,
                   texels: UnsafeBufferPointer<Float>) -> Fragment {
        let material = scene.materials[Int(scene.triangleMaterial[Int(triOrig[s])])]
        let a = Int(tris[s * 3]), b = Int(tris[s * 3 + 1]), c = Int(tris[s * 3 + 2])
        var r = material.factor.0, g = material.factor.1, bl = material.factor.2, al = material.factor.3
        if scene.hasVertexColors {
            r *= attr(colors, a, 4, 0) * p0 + attr(colors, b, 4, 0) * p1 + attr(colors, c, 4, 0) * p2
            g *= attr(colors, a, 4, 1) * p0 + attr(colors, b, 4, 1) * p1 + attr(colors, c, 4, 1) * p2
            bl *= attr(colors, a, 4, 2) * p0 + attr(colors, b, 4, 2) * p1 + attr(colors, c, 4, 2) * p2
            al *= attr(colors, a, 4, 3) * p0 + attr(colors, b, 4, 3) * p1 + attr(colors, c, 4, 3) * p2
        }
        if let ti = material.texture {
            let u0 = attr(uvs, a, 2, 0) * p0 + attr(uvs, b, 2, 0) * p1 + attr(uvs, c, 2, 0) * p2
            let v0 = attr(uvs, a, 2, 1) * p0 + attr(uvs, b, 2, 1) * p1 + attr(uvs, c, 2, 1) * p2
            let u = material.uv0 * u0 + material.uv1 * v0 + material.uv2, v = material.uv3 * u0 + material.uv4 * v0 + material.uv5
            let texel = sample(scene.textures[ti], u, v, texels)
            r *= texel.r; g *= texel.g; bl *= texel.b; al *= texel.a
        }
        return Fragment(r: r, g: g, b: bl, a: al)
    }

    /// Lambert + ambient shading factor of setup triangle `s` at perspective barycentrics.
    @inline(__always)
    func shade(_ s: Int, _ p0: Float, _ p1: Float, _ p2: Float, positions: UnsafeBufferPointer<Float>, normals: UnsafeBufferPointer<Float>) -> Float {
        let a = Int(tris[s * 3]), b = Int(tris[s * 3 + 1]), c = Int(tris[s * 3 + 2])
        let orig = Int(triOrig[s])
        var px: Float = 0, py: Float = 0, pz: Float = 0
        px = attr(positions, a, 3, 0) * p0 + attr(positions, b, 3, 0) * p1 + attr(positions, c, 3, 0) * p2
        py = attr(positions, a, 3, 1) * p0 + attr(positions, b, 3, 1) * p1 + attr(positions, c, 3, 1) * p2
        pz = attr(positions, a, 3, 2) * p0 + attr(positions, b, 3, 2) * p1 + attr(positions, c, 3, 2) * p2
        var nx: Float, ny: Float, nz: Float
        if scene.hasSmoothNormals[orig] {
            nx = attr(normals, a, 3, 0) * p0 + attr(normals, b, 3, 0) * p1 + attr(normals, c, 3, 0) * p2
            ny = attr(normals, a, 3, 1) * p0 + attr(normals, b, 3, 1) * p1 + attr(normals, c, 3, 1) * p2
            nz = attr(normals, a, 3, 2) * p0 + attr(normals, b, 3, 2) * p1 + attr(normals, c, 3, 2) * p2
        } else {
            let i0 = Int(scene.indices[orig * 3]) * 3, i1 = Int(scene.indices[orig * 3 + 1]) * 3, i2 = Int(scene.indices[orig * 3 + 2]) * 3
            let ex = positions[i1] - positions[i0], ey = positions[i1 + 1] - positions[i0 + 1], ez = positions[i1 + 2] - positions[i0 + 2]
            let fx = positions[i2] - positions[i0], fy = positions[i2 + 1] - positions[i0 + 1], fz = positions[i2 + 2] - positions[i0 + 2]
            nx = ey * fz - ez * fy; ny = ez * fx - ex * fz; nz = ex * fy - ey * fx
        }
        let len = (nx * nx + ny * ny + nz * nz).squareRoot()
        if len > 0 { nx /= len; ny /= len; nz /= len }
        if !front[s] { nx = -nx; ny = -ny; nz = -nz }
        var lx = light.x - px, ly = light.y - py, lz = light.z - pz
        let ll = (lx * lx + ly * ly + lz * lz).squareRoot()
        if ll > 0 { lx /= ll; ly /= ll; lz /= ll }
        let diffuse = max(0, nx * lx + ny * ly + nz * lz) * light.strength
        return settings.ambient + (1 - settings.ambient) * min(diffuse, 1.5)
    }
}

/// Per-band scratch buffers of one worker: depth (1/w), triangle id, the first two screen
/// barycentrics times their vertices' 1/w, and premultiplied colour of every sample of a band,
/// clean between bands. The per-sample buffers have one lane group of padding at the end.
struct BandBuffers {
    var invW: [Float]
    var tri: [Int32]
    var b1: [Float]
    var b2: [Float]
    var color: [Float]  // premultiplied linear rgba
    init(count: Int) {
        invW = [Float](repeating: 0, count: count + ViewSetup.Lanes.scalarCount)
        tri = [Int32](repeating: -1, count: count + ViewSetup.Lanes.scalarCount)
        b1 = invW
        b2 = invW
        color = [Float](repeating: 0, count: count * 4)
    }
}

/// The view's light in the single precision shading uses: position and strength (energy / 450).
struct ShadingLight {
    let x: Float, y: Float, z: Float, strength: Float

    init(_ light: Light) {
        x = Float(light.location.x); y = Float(light.location.y); z = Float(light.location.z)
        strength = Float(light.energy / 450)
    }
}
