import Foundation
import Dispatch
import Geometry
import Imaging
import Assets
import Support

/// The light of a view: zero123's blender_script (`randomize_lighting`) uses one large area light
/// per object (scale 100), energy U(300, 600), position x, y ~ U(-1, 1), z ~ U(0.5, 1.5) above the
/// object. This renderer treats it as a point light for Lambertian diffuse shading plus an
/// ambient term (an approximation: masks and poses are exact, shading is not Cycles').
public struct Light: Sendable, Equatable {
    /// Blender watts; shading strength = energy / 450.
    public var energy: Double
    public var location: Vec3

    public init(energy: Double, location: Vec3) {
        self.energy = energy
        self.location = location
    }

    /// energy 450 at (0, 0, 2).
    public static let standard = Light(energy: 450, location: Vec3(0, 0, 2))

    /// Draws a light as zero123's `randomize_lighting` does (energy, then x, y, z).
    public static func zero123Random(rng: inout SeededRandom) -> Light {
        let energy = rng.uniform(300, 600)
        let x = rng.uniform(-1, 1), y = rng.uniform(-1, 1), z = rng.uniform(0.5, 1.5)
        return Light(energy: energy, location: Vec3(x, y, z))
    }
}

/// How a view is rendered. Every field has a documented default.
public struct RenderSettings: Sendable, Equatable {
    /// Output size in pixels (default 256 x 256).
    public var width: Int
    public var height: Int
    /// Camera lens (default zero123's 35 mm on a 32 mm sensor, horizontal FOV 49.1°).
    public var intrinsics: CameraIntrinsics
    /// Samples per pixel along each axis (default 2: 2x2 supersampling; 1 = none, 4 = 4x4).
    public var supersampling: Int
    /// Threads used for one view (default 1: stage runners already run items in parallel).
    public var threads: Int
    /// Ambient share of the shading, 0...1 (default 0.35).
    public var ambient: Float
    /// The light (default `Light.standard`).
    public var light: Light
    /// Also return a depth map (camera-space distance along the view axis, 0 = background).
    public var wantDepth: Bool
    /// Also return a coverage mask (0...255).
    public var wantMask: Bool

    public init(width: Int = 256, height: Int = 256, intrinsics: CameraIntrinsics = .zero123, supersampling: Int = 2,
                threads: Int = 1, ambient: Float = 0.35, light: Light = .standard, wantDepth: Bool = false, wantMask: Bool = false) {
        self.width = width
        self.height = height
        self.intrinsics = intrinsics
        self.supersampling = supersampling
        self.threads = threads
        self.ambient = ambient
        self.light = light
        self.wantDepth = wantDepth
        self.wantMask = wantMask
    }
}


/// One rendered view.
public struct RenderOutput: Sendable {
    public var image: RGBAImage
    /// width * height depths (0 = background) when asked for.
    public var depth: [Float]?
    /// width * height coverage bytes when asked for.
    public var mask: [UInt8]?
}

struct UnsafeShared<T>: @unchecked Sendable { let value: T }

/// A deterministic software rasteriser: z-buffer, perspective-correct interpolation, bilinear
/// texture sampling in linear light, Lambert + ambient shading, OPAQUE/MASK/BLEND, back faces
/// culled unless the material is double-sided, supersampling, row bands over threads. The
/// result depends only on the scene, camera and settings (not on the thread count).
public enum Rasterizer {
    static let bandRows = 8

    /// Renders a flattened scene from one camera (z-buffer, perspective-correct, supersampled).
    public static func render(_ scene: RenderScene, camera: CameraPose, settings: RenderSettings) -> RenderOutput {
        let ss = max(1, settings.supersampling)
        let W = settings.width * ss, H = settings.height * ss
        let f = Float(settings.intrinsics.focalPixels(width: W, height: H))
        let cx = Float(W) / 2, cy = Float(H) / 2
        let near = Float(settings.intrinsics.clipStart)
        let w2c = camera.worldToCamera
        let r = w2c.rotation, t = w2c.translation
        let R: [Float] = r.array.map { Float($0) }
        let T: [Float] = [Float(t.x), Float(t.y), Float(t.z)]

        // Vertex transform.
        let nv = scene.positions.count / 3
        var sx = [Float](repeating: 0, count: nv), sy = sx, vw = sx
        var src0 = [UInt32](repeating: 0, count: nv), src1 = src0, st = [Float](repeating: 0, count: nv)
        var camZ = [Float](repeating: 0, count: nv), camX = camZ, camY = camZ
        let (r0, r1, r2, r3, r4, r5, r6, r7, r8) = (R[0], R[1], R[2], R[3], R[4], R[5], R[6], R[7], R[8])
        let (t0, t1, t2) = (T[0], T[1], T[2])
        scene.positions.withUnsafeBufferPointer { p in
        sx.withUnsafeMutableBufferPointer { sxp in
        sy.withUnsafeMutableBufferPointer { syp in
        vw.withUnsafeMutableBufferPointer { vwp in
        camX.withUnsafeMutableBufferPointer { cxp in
        camY.withUnsafeMutableBufferPointer { cyp in
        camZ.withUnsafeMutableBufferPointer { czp in
        src0.withUnsafeMutableBufferPointer { s0p in
        src1.withUnsafeMutableBufferPointer { s1p in
            for i in 0..<nv {
                let x = p[i * 3], y = p[i * 3 + 1], z = p[i * 3 + 2]
                let xc = r0 * x + r1 * y + r2 * z + t0
                let yc = r3 * x + r4 * y + r5 * z + t1
                let zc = r6 * x + r7 * y + r8 * z + t2
                cxp[i] = xc; cyp[i] = yc; czp[i] = zc
                let w = -zc
                let iw: Float = w > 0 ? 1 / w : 0
                vwp[i] = iw
                sxp[i] = cx + f * xc * iw
                syp[i] = cy - f * yc * iw
                s0p[i] = UInt32(i); s1p[i] = UInt32(i)
            }
        }}}}}}}}}
        // Triangle setup with near-plane clipping.
        var tris: [UInt32] = []
        var triOrig: [Int32] = []
        tris.reserveCapacity(scene.indices.count)
        triOrig.reserveCapacity(scene.triangleCount)
        // Fast path: triangles wholly in front of the near plane (nearly all of them).
        var needsClip: [Int] = []
        scene.indices.withUnsafeBufferPointer { ip in
        camZ.withUnsafeBufferPointer { zp in
            for k in 0..<scene.triangleCount {
                let a = ip[k * 3], b = ip[k * 3 + 1], c = ip[k * 3 + 2]
                if -zp[Int(a)] >= near && -zp[Int(b)] >= near && -zp[Int(c)] >= near {
                    tris.append(a); tris.append(b); tris.append(c); triOrig.append(Int32(k))
                } else {
                    needsClip.append(k)
                }
            }
        }}
        for k in needsClip {
            let a = Int(scene.indices[k * 3]), b = Int(scene.indices[k * 3 + 1]), c = Int(scene.indices[k * 3 + 2])
            let ia = -camZ[a] >= near, ib = -camZ[b] >= near, ic = -camZ[c] >= near
            if !ia && !ib && !ic {
                continue
            } else {
                // Sutherland-Hodgman against w >= near, keeping the winding.
                let poly = [a, b, c], inside = [ia, ib, ic]
                var out: [UInt32] = []
                for e in 0..<3 {
                    let p = poly[e], q = poly[(e + 1) % 3], pin = inside[e], qin = inside[(e + 1) % 3]
                    if pin { out.append(UInt32(p)) }
                    if pin != qin {
                        let (i, o) = pin ? (p, q) : (q, p)
                        let wa = -camZ[i], wb = -camZ[o]
                        let s = (near - wa) / (wb - wa)
                        let x = camX[i] + s * (camX[o] - camX[i]), y = camY[i] + s * (camY[o] - camY[i])
                        let iw = 1 / near
                        sx.append(cx + f * x * iw); sy.append(cy - f * y * iw); vw.append(iw)
                        src0.append(UInt32(i)); src1.append(UInt32(o)); st.append(s)
                        out.append(UInt32(sx.count - 1))
                    }
                }
                if out.count >= 3 {
                    for j in 1..<(out.count - 1) { tris += [out[0], out[j], out[j + 1]]; triOrig.append(Int32(k)) }
                }
            }
        }
        // Cull, orient and bin into bands.
        let nt = triOrig.count
        var front = [Bool](repeating: true, count: nt)
        let bands = (settings.height + bandRows - 1) / bandRows
        var opaqueBins = [[Int32]](repeating: [], count: bands)
        var blendList: [(depth: Float, tri: Int32)] = []
        sx.withUnsafeBufferPointer { sxp in
        sy.withUnsafeBufferPointer { syp in
        vw.withUnsafeBufferPointer { vwp in
        tris.withUnsafeBufferPointer { tp in
        triOrig.withUnsafeBufferPointer { top in
        scene.triangleMaterial.withUnsafeBufferPointer { tmp in
        scene.materials.withUnsafeBufferPointer { mp in
        front.withUnsafeMutableBufferPointer { fp in
            let fW = Float(W), fH = Float(H), fss = Float(ss)
            for s in 0..<nt {
                let a = Int(tp[s * 3]), b = Int(tp[s * 3 + 1]), c = Int(tp[s * 3 + 2])
                let ax = sxp[a], ay = syp[a], bx = sxp[b], by = syp[b], cxx = sxp[c], cyy = syp[c]
                let area = (bx - ax) * (cyy - ay) - (by - ay) * (cxx - ax)
                guard area != 0, area.isFinite else { continue }
                let isFront = area < 0
                let material = mp[Int(tmp[Int(top[s])])]
                if !isFront && !material.doubleSided { continue }
                fp[s] = isFront
                let minY = min(ay, by, cyy), maxY = max(ay, by, cyy)
                let minX = min(ax, bx, cxx), maxX = max(ax, bx, cxx)
                if maxY < 0 || minY > fH || maxX < 0 || minX > fW { continue }
                // No sample centre (k + 0.5) inside the box: the triangle covers no sample.
                if (minX - 0.5).rounded(.up) > (maxX - 0.5).rounded(.down) || (minY - 0.5).rounded(.up) > (maxY - 0.5).rounded(.down) { continue }
                if material.alphaMode == .blend {
                    blendList.append((1 / max(vwp[a], vwp[b], vwp[c]) + 1 / min(vwp[a], vwp[b], vwp[c]), Int32(s)))
                    continue
                }
                let b0 = max(0, Int(max(0, min(minY / fss, 1e7)).rounded(.down)) / bandRows)
                let b1 = min(bands - 1, Int(max(0, min(maxY / fss, 1e7)).rounded(.down)) / bandRows)
                if b0 <= b1 { for band in b0...b1 { opaqueBins[band].append(Int32(s)) } }
            }
        }}}}}}}}
        // Back to front; ties by triangle order (stable and deterministic).
        let blendOrder = blendList.enumerated().sorted { l, r in
            l.element.depth != r.element.depth ? l.element.depth > r.element.depth : l.offset < r.offset
        }.map { $0.element.tri }

        let setup = ViewSetup(scene: scene, sx: sx, sy: sy, vw: vw, src0: src0, src1: src1, st: st, tris: tris,
                              triOrig: triOrig, front: front, W: W, H: H, ss: ss, settings: settings)
        var pixels = [UInt8](repeating: 0, count: settings.width * settings.height * 4)
        var depth = [Float](repeating: 0, count: settings.wantDepth ? settings.width * settings.height : 0)
        var mask = [UInt8](repeating: 0, count: settings.wantMask ? settings.width * settings.height : 0)
        let threads = max(1, min(settings.threads, bands))
        pixels.withUnsafeMutableBufferPointer { pix in
            depth.withUnsafeMutableBufferPointer { dep in
                mask.withUnsafeMutableBufferPointer { msk in
                    let out = UnsafeShared(value: (pix, dep, msk))
                    let bins = UnsafeShared(value: opaqueBins)
                    let order = UnsafeShared(value: blendOrder)
                    let work: @Sendable (Int) -> Void = { worker in
                        var band = worker
                        var buffers = BandBuffers(count: W * bandRows * ss)
                        while band < bands {
                            setup.renderBand(band, opaque: bins.value[band], blend: order.value, buffers: &buffers,
                                             pixels: out.value.0, depth: out.value.1, mask: out.value.2)
                            band += threads
                        }
                    }
                    if threads == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: work) }
                }
            }
        }
        return RenderOutput(image: RGBAImage(width: settings.width, height: settings.height, pixels: pixels),
                            depth: settings.wantDepth ? depth : nil, mask: settings.wantMask ? mask : nil)
    }
}

struct BandBuffers {
    var invW: [Float]
    var tri: [Int32]
    var b1: [Float]
    var b2: [Float]
    var color: [Float]  // premultiplied linear rgba
    init(count: Int) {
        invW = [Float](repeating: 0, count: count)
        tri = [Int32](repeating: -1, count: count)
        b1 = invW
        b2 = invW
        color = [Float](repeating: 0, count: count * 4)
    }
}

/// Everything one view's bands read (immutable, shared between threads).
struct ViewSetup: @unchecked Sendable {
    let scene: RenderScene
    let sx: [Float], sy: [Float], vw: [Float]
    let src0: [UInt32], src1: [UInt32], st: [Float]
    let tris: [UInt32]
    let triOrig: [Int32]
    let front: [Bool]
    let W: Int, H: Int, ss: Int
    let settings: RenderSettings

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

    @inline(__always)
    func wrap(_ i: Int, _ n: Int, _ mode: TextureWrap) -> Int {
        if i >= 0 && i < n { return i }
        switch mode {
        case .clampToEdge: return min(max(i, 0), n - 1)
        case .repeatWrap: let m = i % n; return m < 0 ? m + n : m
        case .mirroredRepeat:
            var m = i % (2 * n); if m < 0 { m += 2 * n }
            return m < n ? m : 2 * n - 1 - m
        }
    }

    /// Bilinear sample in linear light (texel centres at half-integers).
    @inline(__always)
    func sample(_ tex: LinearTexture, _ u: Float, _ v: Float, _ texels: UnsafeBufferPointer<Float>) -> Fragment {
        guard u.isFinite, v.isFinite else { return Fragment(r: 1, g: 1, b: 1, a: 1) }
        let x = u * Float(tex.width) - 0.5, y = v * Float(tex.height) - 0.5
        let cxv = max(-1e7, min(1e7, x)), cyv = max(-1e7, min(1e7, y))
        var ix = Int(cxv), iy = Int(cyv)  // truncation, then floor for negatives
        if Float(ix) > cxv { ix -= 1 }
        if Float(iy) > cyv { iy -= 1 }
        let bigX = Float(ix), bigY = Float(iy)
        let tx = cxv - bigX, ty = cyv - bigY
        let x0 = wrap(Int(bigX), tex.width, tex.wrapS), x1 = wrap(Int(bigX) + 1, tex.width, tex.wrapS)
        let y0 = wrap(Int(bigY), tex.height, tex.wrapT), y1 = wrap(Int(bigY) + 1, tex.height, tex.wrapT)
        do {
            let d = texels
            let o = tex.offset
            let i00 = o + (y0 * tex.width + x0) * 4, i10 = o + (y0 * tex.width + x1) * 4
            let i01 = o + (y1 * tex.width + x0) * 4, i11 = o + (y1 * tex.width + x1) * 4
            let w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty
            return Fragment(r: d[i00] * w00 + d[i10] * w10 + d[i01] * w01 + d[i11] * w11,
                            g: d[i00 + 1] * w00 + d[i10 + 1] * w10 + d[i01 + 1] * w01 + d[i11 + 1] * w11,
                            b: d[i00 + 2] * w00 + d[i10 + 2] * w10 + d[i01 + 2] * w01 + d[i11 + 2] * w11,
                            a: d[i00 + 3] * w00 + d[i10 + 3] * w10 + d[i01 + 3] * w01 + d[i11 + 3] * w11)
        }
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
        let light = settings.light
        var lx = Float(light.location.x) - px, ly = Float(light.location.y) - py, lz = Float(light.location.z) - pz
        let ll = (lx * lx + ly * ly + lz * lz).squareRoot()
        if ll > 0 { lx /= ll; ly /= ll; lz /= ll }
        let diffuse = max(0, nx * lx + ny * ly + nz * lz) * Float(light.energy / 450)
        return settings.ambient + (1 - settings.ambient) * min(diffuse, 1.5)
    }

    func renderBand(_ band: Int, opaque: [Int32], blend: [Int32], buffers: inout BandBuffers,
                    pixels: UnsafeMutableBufferPointer<UInt8>, depth: UnsafeMutableBufferPointer<Float>, mask: UnsafeMutableBufferPointer<UInt8>) {
        let outY0 = band * Rasterizer.bandRows
        let outY1 = min(settings.height, outY0 + Rasterizer.bandRows)
        let y0 = outY0 * ss, y1 = outY1 * ss
        // Buffers are clean on entry (fresh, or cleared over the used range by the previous band).
        if opaque.isEmpty && blend.isEmpty { return }
        var xLo = W, xHi = -1  // sample columns touched by any triangle's box
        scene.texels.withUnsafeBufferPointer { texels in
        scene.uvs.withUnsafeBufferPointer { uvs in
        scene.colors.withUnsafeBufferPointer { colors in
        scene.positions.withUnsafeBufferPointer { positions in
        scene.normals.withUnsafeBufferPointer { normals in
        buffers.invW.withUnsafeMutableBufferPointer { zbuf in
        buffers.tri.withUnsafeMutableBufferPointer { tbuf in
        buffers.b1.withUnsafeMutableBufferPointer { b1buf in
        buffers.b2.withUnsafeMutableBufferPointer { b2buf in
        buffers.color.withUnsafeMutableBufferPointer { cbuf in
            // Pass 1: visibility (opaque and alpha-tested triangles).
            for s32 in opaque {
                let s = Int(s32)
                let material = scene.materials[Int(scene.triangleMaterial[Int(triOrig[s])])]
                let isMask = material.alphaMode == .mask
                let span = raster(s, y0, y1) { idx, iw, q0, q1 in
                    guard iw > zbuf[idx] else { return }
                    let r = 1 / iw
                    let p0 = q0 * r, p1 = q1 * r, p2 = 1 - p0 - p1
                    if isMask {
                        let c = baseColor(s, p0, p1, p2, uvs: uvs, colors: colors, texels: texels)
                        guard c.a >= material.alphaCutoff else { return }
                    }
                    zbuf[idx] = iw; tbuf[idx] = Int32(s); b1buf[idx] = p1; b2buf[idx] = p2
                }
                if span.1 >= span.0 { xLo = min(xLo, span.0); xHi = max(xHi, span.1) }
            }
            // Pass 2: shade the visible samples, once per (pixel, triangle) like MSAA: samples of
            // one pixel that hit the same triangle share the colour shaded at the first of them.
            let oxLo = xLo / ss, oxHi = xHi / ss
            for oy in outY0..<outY1 where oxLo <= oxHi {
                for ox in oxLo...oxHi {
                    var last = -1
                    var lr: Float = 0, lg: Float = 0, lb: Float = 0
                    for dy in 0..<ss {
                        let row = (oy * ss + dy - y0) * W + ox * ss
                        for dx in 0..<ss {
                            let idx = row + dx
                            let s = Int(tbuf[idx])
                            guard s >= 0 else { continue }
                            if s != last {
                                let p1 = b1buf[idx], p2 = b2buf[idx], p0 = 1 - p1 - p2
                                let c = baseColor(s, p0, p1, p2, uvs: uvs, colors: colors, texels: texels)
                                let k = shade(s, p0, p1, p2, positions: positions, normals: normals)
                                lr = c.r * k; lg = c.g * k; lb = c.b * k
                                last = s
                            }
                            cbuf[idx * 4] = lr; cbuf[idx * 4 + 1] = lg; cbuf[idx * 4 + 2] = lb; cbuf[idx * 4 + 3] = 1
                        }
                    }
                }
            }
            // Pass 3: blended triangles back to front, depth-tested against the opaque surface.
            for s32 in blend {
                let s = Int(s32)
                let a = Int(tris[s * 3]), b = Int(tris[s * 3 + 1]), c = Int(tris[s * 3 + 2])
                let minY = min(sy[a], sy[b], sy[c]), maxY = max(sy[a], sy[b], sy[c])
                if maxY < Float(y0) || minY > Float(y1) { continue }
                let span = raster(s, y0, y1) { idx, iw, q0, q1 in
                    guard iw > zbuf[idx] else { return }
                    let r = 1 / iw
                    let p0 = q0 * r, p1 = q1 * r, p2 = 1 - p0 - p1
                    let col = baseColor(s, p0, p1, p2, uvs: uvs, colors: colors, texels: texels)
                    let alpha = min(max(col.a, 0), 1)
                    guard alpha > 0 else { return }
                    let k = shade(s, p0, p1, p2, positions: positions, normals: normals)
                    let keep = 1 - alpha
                    cbuf[idx * 4] = col.r * k * alpha + cbuf[idx * 4] * keep
                    cbuf[idx * 4 + 1] = col.g * k * alpha + cbuf[idx * 4 + 1] * keep
                    cbuf[idx * 4 + 2] = col.b * k * alpha + cbuf[idx * 4 + 2] * keep
                    cbuf[idx * 4 + 3] = alpha + cbuf[idx * 4 + 3] * keep
                }
                if span.1 >= span.0 { xLo = min(xLo, span.0); xHi = max(xHi, span.1) }
            }
            // Resolve: box filter of premultiplied samples, then straight alpha and sRGB.
            let n = Float(ss * ss)
            let rxLo = xLo / ss, rxHi = xHi / ss
            for oy in outY0..<outY1 where rxLo <= rxHi {
                for ox in rxLo...rxHi {
                    var r: Float = 0, g: Float = 0, b: Float = 0, a: Float = 0
                    var nearest: Float = 0
                    for dy in 0..<ss {
                        let row = (oy * ss + dy - y0) * W
                        for dx in 0..<ss {
                            let idx = row + ox * ss + dx
                            r += cbuf[idx * 4]; g += cbuf[idx * 4 + 1]; b += cbuf[idx * 4 + 2]; a += cbuf[idx * 4 + 3]
                            nearest = max(nearest, zbuf[idx])
                        }
                    }
                    let o = (oy * settings.width + ox) * 4
                    if a > 0 {
                        pixels[o] = SRGBTables.encode(r / a)
                        pixels[o + 1] = SRGBTables.encode(g / a)
                        pixels[o + 2] = SRGBTables.encode(b / a)
                        pixels[o + 3] = UInt8(min(255, (a / n * 255).rounded()))
                    }
                    if !depth.isEmpty { depth[oy * settings.width + ox] = nearest > 0 ? 1 / nearest : 0 }
                    if !mask.isEmpty { mask[oy * settings.width + ox] = UInt8(min(255, (a / n * 255).rounded())) }
                }
            }
            // Leave the buffers clean for the next band.
            if xLo <= xHi {
                for row in 0..<(y1 - y0) {
                    for i in (row * W + xLo)...(row * W + xHi) {
                        zbuf[i] = 0; tbuf[i] = -1
                        cbuf[i * 4] = 0; cbuf[i * 4 + 1] = 0; cbuf[i * 4 + 2] = 0; cbuf[i * 4 + 3] = 0
                    }
                }
            }
        }}}}}}}}}}
    }

    /// Visits the samples of setup triangle `s` inside sample rows [y0, y1), passing 1/w and the
    /// first two screen barycentrics times their vertices' 1/w (the perspective-correct
    /// barycentrics are those divided by 1/w: bodies divide only after their depth test). Sample centres sit at half-integers; edges use a top-left style tie rule
    /// so shared edges are drawn once.
    @inline(__always) @discardableResult
    func raster(_ s: Int, _ y0: Int, _ y1: Int, _ body: (Int, Float, Float, Float) -> Void) -> (Int, Int) {
        let a = Int(tris[s * 3]), b = Int(tris[s * 3 + 1]), c = Int(tris[s * 3 + 2])
        let ax = sx[a], ay = sy[a], bx = sx[b], by = sy[b], cx = sx[c], cy = sy[c]
        let area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        guard area != 0 else { return (0, -1) }
        // Sample centres x + 0.5 inside [min, max]: ceil(min - 0.5) ... floor(max - 0.5), clamped.
        @inline(__always) func ceilAtLeast(_ v: Float, _ lo: Int) -> Int {
            let c = max(Float(lo), min(v, 1e7)); var i = Int(c); if Float(i) < c { i += 1 }; return i
        }
        @inline(__always) func floorAtMost(_ v: Float, _ hi: Int) -> Int {
            let c = min(Float(hi), max(v, -1e7)); var i = Int(c); if Float(i) > c { i -= 1 }; return i
        }
        let minX = ceilAtLeast(min(ax, bx, cx) - 0.5, 0)
        let maxX = floorAtMost(max(ax, bx, cx) - 0.5, W - 1)
        let minY = ceilAtLeast(min(ay, by, cy) - 0.5, y0)
        let maxY = floorAtMost(max(ay, by, cy) - 0.5, y1 - 1)
        guard minX <= maxX, minY <= maxY else { return (0, -1) }
        let inv = 1 / area
        let wa = vw[a], wb = vw[b], wc = vw[c]
        // Edge functions e0 (b->c), e1 (c->a), e2 (a->b), scaled so they are >= 0 inside.
        let sign: Float = area > 0 ? 1 : -1
        @inline(__always) func topLeft(_ dx: Float, _ dy: Float) -> Bool {
            // In the orientation where inside is positive: a "top" edge is horizontal going left, a "left" edge goes down.
            let ddx = dx * sign, ddy = dy * sign
            return (ddy == 0 && ddx < 0) || ddy > 0
        }
        let tl0 = topLeft(cx - bx, cy - by), tl1 = topLeft(ax - cx, ay - cy), tl2 = topLeft(bx - ax, by - ay)
        // Per row, each edge function is linear in x (e = A * px + B): narrow the scan to the span
        // where all three can be non-negative, widened by one sample so rounding never drops a
        // sample the exact test below would accept (the result is identical to a full box scan).
        let a0 = -(cy - by) * sign, a1 = -(ay - cy) * sign, a2 = -(by - ay) * sign
        let r0 = a0 != 0 ? -1 / a0 : 0, r1 = a1 != 0 ? -1 / a1 : 0, r2 = a2 != 0 ? -1 / a2 : 0
        let fMinX = Float(minX), fMaxX = Float(maxX)
        for y in minY...maxY {
            let py = Float(y) + 0.5
            let rowBase = (y - y0) * W
            var lo = fMinX, hi = fMaxX
            let k0 = ((cx - bx) * (py - by) + (cy - by) * bx) * sign
            let k1 = ((ax - cx) * (py - cy) + (ay - cy) * cx) * sign
            let k2 = ((bx - ax) * (py - ay) + (by - ay) * ax) * sign
            if a0 > 0 { lo = max(lo, k0 * r0 - 1.5) } else if a0 < 0 { hi = min(hi, k0 * r0 + 0.5) } else if k0 < 0 { continue }
            if a1 > 0 { lo = max(lo, k1 * r1 - 1.5) } else if a1 < 0 { hi = min(hi, k1 * r1 + 0.5) } else if k1 < 0 { continue }
            if a2 > 0 { lo = max(lo, k2 * r2 - 1.5) } else if a2 < 0 { hi = min(hi, k2 * r2 + 0.5) } else if k2 < 0 { continue }
            if !(lo <= hi) { continue }
            var xs = Int(lo); if Float(xs) < lo { xs += 1 }
            var xe = Int(hi); if Float(xe) > hi { xe -= 1 }
            xs = max(xs, minX); xe = min(xe, maxX)
            if xs > xe { continue }
            for x in xs...xe {
                let px = Float(x) + 0.5
                let e0 = ((cx - bx) * (py - by) - (cy - by) * (px - bx)) * sign
                let e1 = ((ax - cx) * (py - cy) - (ay - cy) * (px - cx)) * sign
                let e2 = ((bx - ax) * (py - ay) - (by - ay) * (px - ax)) * sign
                if e0 < 0 || e1 < 0 || e2 < 0 { continue }
                if (e0 == 0 && !tl0) || (e1 == 0 && !tl1) || (e2 == 0 && !tl2) { continue }
                let l0 = e0 * inv * sign, l1 = e1 * inv * sign, l2 = e2 * inv * sign
                let iw = l0 * wa + l1 * wb + l2 * wc
                guard iw > 0 else { continue }
                body(rowBase + x, iw, l0 * wa, l1 * wb)
            }
        }
        return (minX, maxX)
    }
}
