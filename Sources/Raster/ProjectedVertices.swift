import Geometry

/// The sample grid of one view: supersampled size, focal length in samples, principal point
/// and near plane (zero123's Blender camera: 35 mm lens, 32 mm sensor, clip start 0.1).
struct SampleGrid {
    let width: Int, height: Int, supersampling: Int
    let focal: Float, centerX: Float, centerY: Float, near: Float

    init(settings: RenderSettings) {
        supersampling = max(1, settings.supersampling)
        width = settings.width * supersampling
        height = settings.height * supersampling
        focal = Float(settings.intrinsics.focalPixels(width: width, height: height))
        centerX = Float(width) / 2
        centerY = Float(height) / 2
        near = Float(settings.intrinsics.clipStart)
    }
}

/// The scene's vertices in camera space and on the sample grid, plus the vertices that
/// near-plane clipping adds (each a blend `st` of two source vertices `src0`, `src1`).
struct ProjectedVertices {
    var sx: [Float], sy: [Float], vw: [Float]
    var src0: [UInt32], src1: [UInt32], st: [Float]
    var camX: [Float], camY: [Float], camZ: [Float]

    /// Transforms every scene vertex by the world-to-camera matrix and projects it (1/w = 1/-z).
    init(scene: RenderScene, camera: CameraPose, grid: SampleGrid) {
        let w2c = camera.worldToCamera
        let r = w2c.rotation, t = w2c.translation
        let R: [Float] = r.array.map { Float($0) }
        let (r0, r1, r2, r3, r4, r5, r6, r7, r8) = (R[0], R[1], R[2], R[3], R[4], R[5], R[6], R[7], R[8])
        let (t0, t1, t2) = (Float(t.x), Float(t.y), Float(t.z))
        let f = grid.focal, cx = grid.centerX, cy = grid.centerY
        let nv = scene.positions.count / 3
        // Every element is written below: no zero fill, no copy of a shared zero array.
        func uninitialized() -> [Float] { [Float](unsafeUninitializedCapacity: nv) { _, count in count = nv } }
        sx = uninitialized(); sy = uninitialized(); vw = uninitialized()
        camX = uninitialized(); camY = uninitialized(); camZ = uninitialized()
        // Scene vertices are their own sources (shared with the scene until clipping appends).
        src0 = scene.vertexIds; src1 = scene.vertexIds; st = scene.vertexZeros
        scene.positions.withUnsafeBufferPointer { p in
        sx.withUnsafeMutableBufferPointer { sxp in
        sy.withUnsafeMutableBufferPointer { syp in
        vw.withUnsafeMutableBufferPointer { vwp in
        camX.withUnsafeMutableBufferPointer { cxp in
        camY.withUnsafeMutableBufferPointer { cyp in
        camZ.withUnsafeMutableBufferPointer { czp in
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
            }
        }}}}}}}
    }

    /// Adds the point where edge `inside`-`outside` crosses the near plane; returns its index.
    mutating func appendCrossing(inside i: Int, outside o: Int, grid: SampleGrid) -> UInt32 {
        let near = grid.near
        let wa = -camZ[i], wb = -camZ[o]
        let s = (near - wa) / (wb - wa)
        let x = camX[i] + s * (camX[o] - camX[i]), y = camY[i] + s * (camY[o] - camY[i])
        let iw = 1 / near
        sx.append(grid.centerX + grid.focal * x * iw); sy.append(grid.centerY - grid.focal * y * iw); vw.append(iw)
        src0.append(UInt32(i)); src1.append(UInt32(o)); st.append(s)
        return UInt32(sx.count - 1)
    }
}

/// The triangles to rasterise after near-plane clipping: vertex index triples into
/// `ProjectedVertices` and, per triangle, the scene triangle it came from.
struct ClippedTriangles {
    var tris: [UInt32] = []
    var triOrig: [Int32] = []

    /// Keeps triangles wholly in front of the near plane, drops those wholly behind, and clips
    /// the rest (Sutherland-Hodgman against w >= near, keeping the winding), adding vertices.
    init(scene: RenderScene, vertices: inout ProjectedVertices, grid: SampleGrid) {
        let near = grid.near
        // Every vertex in front of the near plane (the usual view): the scene's triangles as they are.
        if vertices.camZ.allSatisfy({ -$0 >= near }) {
            tris = scene.indices
            triOrig = scene.triangleIds
            return
        }
        tris.reserveCapacity(scene.indices.count)
        triOrig.reserveCapacity(scene.triangleCount)
        var needsClip: [Int] = []
        scene.indices.withUnsafeBufferPointer { ip in
        vertices.camZ.withUnsafeBufferPointer { zp in
            for k in 0..<scene.triangleCount {
                let a = ip[k * 3], b = ip[k * 3 + 1], c = ip[k * 3 + 2]
                if -zp[Int(a)] >= near && -zp[Int(b)] >= near && -zp[Int(c)] >= near {
                    tris.append(a); tris.append(b); tris.append(c); triOrig.append(Int32(k))
                } else {
                    needsClip.append(k)
                }
            }
        }}
        for k in needsClip { clip(k, scene: scene, vertices: &vertices, grid: grid) }
    }

    /// Clips scene triangle `k` (partly behind the near plane) into a fan of triangles.
    private mutating func clip(_ k: Int, scene: RenderScene, vertices: inout ProjectedVertices, grid: SampleGrid) {
        let near = grid.near
        let a = Int(scene.indices[k * 3]), b = Int(scene.indices[k * 3 + 1]), c = Int(scene.indices[k * 3 + 2])
        let ia = -vertices.camZ[a] >= near, ib = -vertices.camZ[b] >= near, ic = -vertices.camZ[c] >= near
        if !ia && !ib && !ic { return }
        let poly = [a, b, c], inside = [ia, ib, ic]
        var out: [UInt32] = []
        for e in 0..<3 {
            let p = poly[e], q = poly[(e + 1) % 3], pin = inside[e], qin = inside[(e + 1) % 3]
            if pin { out.append(UInt32(p)) }
            if pin != qin {
                let (i, o) = pin ? (p, q) : (q, p)
                out.append(vertices.appendCrossing(inside: i, outside: o, grid: grid))
            }
        }
        if out.count >= 3 {
            for j in 1..<(out.count - 1) { tris += [out[0], out[j], out[j + 1]]; triOrig.append(Int32(k)) }
        }
    }
}
