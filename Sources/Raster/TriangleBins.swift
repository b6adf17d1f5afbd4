import Assets

/// Clipped triangles sorted for the band renderer: back faces culled (unless the material is
/// double-sided) with the facing of the rest recorded, triangles covering no sample dropped,
/// opaque and alpha-tested triangles binned by output row band, blended ones in back-to-front order.
struct TriangleBins {
    /// Per clipped triangle: true when it faces the camera.
    var front: [Bool]
    /// The opaque triangles of every band, band after band, each band's in triangle order.
    var opaque: [Int32]
    /// Per band of `Rasterizer.bandRows` output rows: its triangles are `opaque[bandStart[band]..<bandStart[band + 1]]`.
    var bandStart: [Int]
    /// Blended triangles, farthest first; ties by triangle order (stable and deterministic).
    var blend: [Int32]

    /// The opaque and alpha-tested triangles touching `band`, in triangle order.
    func opaque(band: Int) -> ArraySlice<Int32> { opaque[bandStart[band]..<bandStart[band + 1]] }

    init(scene: RenderScene, vertices: ProjectedVertices, triangles: ClippedTriangles, grid: SampleGrid, bands: Int) {
        let nt = triangles.triOrig.count
        var front = [Bool](repeating: true, count: nt)
        // The binned triangles in triangle order, each with its first and last band.
        var binned: [(tri: Int32, first: Int32, last: Int32)] = []
        binned.reserveCapacity(nt / 2)
        var blendList: [(depth: Float, tri: Int32)] = []
        let ss = grid.supersampling, bandRows = Rasterizer.bandRows
        let blendMaterial = scene.materials.map { $0.alphaMode == .blend }
        let doubleSided = scene.materials.map { $0.doubleSided }
        // Most scenes have neither: then no triangle needs its material looked up.
        let anyDoubleSided = doubleSided.contains(true), anyBlend = blendMaterial.contains(true)
        vertices.sx.withUnsafeBufferPointer { sxp in
        vertices.sy.withUnsafeBufferPointer { syp in
        vertices.vw.withUnsafeBufferPointer { vwp in
        triangles.tris.withUnsafeBufferPointer { tp in
        triangles.triOrig.withUnsafeBufferPointer { top in
        scene.triangleMaterial.withUnsafeBufferPointer { tmp in
        blendMaterial.withUnsafeBufferPointer { bmp in
        doubleSided.withUnsafeBufferPointer { dsp in
        front.withUnsafeMutableBufferPointer { fp in
            let fW = Float(grid.width), fH = Float(grid.height), fss = Float(ss)
            for s in 0..<nt {
                let a = Int(tp[s * 3]), b = Int(tp[s * 3 + 1]), c = Int(tp[s * 3 + 2])
                let ax = sxp[a], ay = syp[a], bx = sxp[b], by = syp[b], cxx = sxp[c], cyy = syp[c]
                let area = (bx - ax) * (cyy - ay) - (by - ay) * (cxx - ax)
                let isFront = area < 0
                // Kept: a finite non-zero area, facing the camera unless double-sided (one test when no material is).
                if anyDoubleSided {
                    guard area != 0, area.isFinite else { continue }
                } else {
                    guard isFront && area > -.infinity else { continue }
                }
                let material = anyDoubleSided || anyBlend ? Int(tmp[Int(top[s])]) : 0
                if !isFront && !(anyDoubleSided && dsp[material]) { continue }
                fp[s] = isFront
                let minY = min3(ay, by, cyy), maxY = max3(ay, by, cyy)
                let minX = min3(ax, bx, cxx), maxX = max3(ax, bx, cxx)
                if maxY < 0 || minY > fH || maxX < 0 || minX > fW { continue }
                // No sample centre (k + 0.5) inside the box: the triangle covers no sample.
                if ceilExact(minX - 0.5) > floorExact(maxX - 0.5) || ceilExact(minY - 0.5) > floorExact(maxY - 0.5) { continue }
                if anyBlend && bmp[material] {
                    blendList.append((1 / max3(vwp[a], vwp[b], vwp[c]) + 1 / min3(vwp[a], vwp[b], vwp[c]), Int32(s)))
                    continue
                }
                let b0 = max(0, Int(max(0, min(minY / fss, 1e7))) / bandRows)
                let b1 = min(bands - 1, Int(max(0, min(maxY / fss, 1e7))) / bandRows)
                if b0 <= b1 { binned.append((Int32(s), Int32(b0), Int32(b1))) }
            }
        }}}}}}}}}
        // Counting sort by band, stable: each band's triangles stay in triangle order.
        var start = [Int](repeating: 0, count: bands + 1)
        for t in binned {
            for band in Int(t.first)...Int(t.last) { start[band + 1] += 1 }
        }
        for band in 0..<bands { start[band + 1] += start[band] }
        var opaque = [Int32](repeating: 0, count: start[bands])
        var next = start
        for t in binned {
            for band in Int(t.first)...Int(t.last) { opaque[next[band]] = t.tri; next[band] += 1 }
        }
        self.front = front
        self.opaque = opaque
        self.bandStart = start
        blend = blendList.enumerated().sorted { l, r in
            l.element.depth != r.element.depth ? l.element.depth > r.element.depth : l.offset < r.offset
        }.map { $0.element.tri }
    }
}

/// `x.rounded(.up)` without a libm call: values of 2^23 or more in magnitude are integers already.
@inline(__always) func ceilExact(_ x: Float) -> Float {
    guard abs(x) < 8_388_608 else { return x }
    let t = Float(Int32(x))
    return t < x ? t + 1 : t
}

/// `x.rounded(.down)` without a libm call: values of 2^23 or more in magnitude are integers already.
@inline(__always) func floorExact(_ x: Float) -> Float {
    guard abs(x) < 8_388_608 else { return x }
    let t = Float(Int32(x))
    return t > x ? t - 1 : t
}
