import Assets

/// Clipped triangles sorted for the band renderer: back faces culled (unless the material is
/// double-sided) with the facing of the rest recorded, triangles covering no sample dropped,
/// opaque and alpha-tested triangles binned by output row band, blended ones in back-to-front order.
struct TriangleBins {
    /// Per clipped triangle: true when it faces the camera.
    var front: [Bool]
    /// Per band of `Rasterizer.bandRows` output rows: the opaque triangles touching it, in order.
    var opaque: [[Int32]]
    /// Blended triangles, farthest first; ties by triangle order (stable and deterministic).
    var blend: [Int32]

    init(scene: RenderScene, vertices: ProjectedVertices, triangles: ClippedTriangles, grid: SampleGrid, bands: Int) {
        let nt = triangles.triOrig.count
        var front = [Bool](repeating: true, count: nt)
        var opaque = [[Int32]](repeating: [], count: bands)
        var blendList: [(depth: Float, tri: Int32)] = []
        let ss = grid.supersampling, bandRows = Rasterizer.bandRows
        vertices.sx.withUnsafeBufferPointer { sxp in
        vertices.sy.withUnsafeBufferPointer { syp in
        vertices.vw.withUnsafeBufferPointer { vwp in
        triangles.tris.withUnsafeBufferPointer { tp in
        triangles.triOrig.withUnsafeBufferPointer { top in
        scene.triangleMaterial.withUnsafeBufferPointer { tmp in
        scene.materials.withUnsafeBufferPointer { mp in
        front.withUnsafeMutableBufferPointer { fp in
            let fW = Float(grid.width), fH = Float(grid.height), fss = Float(ss)
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
                if b0 <= b1 { for band in b0...b1 { opaque[band].append(Int32(s)) } }
            }
        }}}}}}}}
        self.front = front
        self.opaque = opaque
        blend = blendList.enumerated().sorted { l, r in
            l.element.depth != r.element.depth ? l.element.depth > r.element.depth : l.offset < r.offset
        }.map { $0.element.tri }
    }
}
