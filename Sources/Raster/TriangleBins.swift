import Assets

/// Clipped triangles sorted for the band renderer: back faces culled (unless the material is
/// double-sided) with the facing of the rest recorded, the scan setup of every triangle that
/// covers a sample centre of the grid, opaque and alpha-tested ones binned by the output row
/// bands their sample rows touch, blended ones in back-to-front order.
struct TriangleBins {
    /// Per clipped triangle: true when it faces the camera.
    var front: [Bool]
    /// The scan setup of every binned triangle, in triangle order.
    var setups: [TriangleSetup]
    /// The opaque triangles (indices into `setups`) of every band, band after band, each band's in triangle order.
    var opaque: [Int32]
    /// Per band of `Rasterizer.bandRows` output rows: its triangles are `opaque[bandStart[band]..<bandStart[band + 1]]`.
    var bandStart: [Int]
    /// Blended triangles (indices into `setups`), farthest first; ties by triangle order (stable and deterministic).
    var blend: [Int32]

    /// The opaque and alpha-tested triangles touching `band`, in triangle order.
    func opaque(band: Int) -> ArraySlice<Int32> { opaque[bandStart[band]..<bandStart[band + 1]] }

    init(scene: RenderScene, vertices: ProjectedVertices, triangles: ClippedTriangles, grid: SampleGrid, bands: Int) {
        let nt = triangles.triOrig.count
        var front = [Bool](repeating: true, count: nt)
        var setups: [TriangleSetup] = []
        setups.reserveCapacity(nt / 2)
        var isBlend: [Bool] = []
        var blendList: [(depth: Float, setup: Int32)] = []
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
            let fW = Float(grid.width), fH = Float(grid.height)
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
                // Wholly off the grid: no setup needed to know it covers no sample.
                if max3(ay, by, cyy) < 0 || min3(ay, by, cyy) > fH || max3(ax, bx, cxx) < 0 || min3(ax, bx, cxx) > fW { continue }
                guard let setup = TriangleSetup(tri: s, ax: ax, ay: ay, bx: bx, by: by, cx: cxx, cy: cyy, wa: vwp[a], wb: vwp[b], wc: vwp[c],
                                                area: area, width: grid.width, height: grid.height) else { continue }
                if anyBlend && bmp[material] {
                    blendList.append((1 / max3(vwp[a], vwp[b], vwp[c]) + 1 / min3(vwp[a], vwp[b], vwp[c]), Int32(setups.count)))
                    isBlend.append(true)
                } else if anyBlend {
                    isBlend.append(false)
                }
                setups.append(setup)
            }
        }}}}}}}}}
        // Counting sort by the bands of each setup's sample rows, stable: each band's triangles stay in triangle order.
        // The band of every sample row: a table lookup instead of two integer divisions per triangle and pass.
        let bandSamples = Rasterizer.bandRows * grid.supersampling
        let bandOfRow = (0..<grid.height).map { $0 / bandSamples }
        var start = [Int](repeating: 0, count: bands + 1)
        var next = start
        let binned = setups.withUnsafeBufferPointer { sp in
        bandOfRow.withUnsafeBufferPointer { bp in
        start.withUnsafeMutableBufferPointer { stp in
            for (i, t) in sp.enumerated() where !(anyBlend && isBlend[i]) {
                for band in bp[Int(t.minY)]...bp[Int(t.maxY)] { stp[band + 1] += 1 }
            }
            for band in 0..<bands { stp[band + 1] += stp[band] }
            next = Array(stp)
            return [Int32](unsafeUninitializedCapacity: stp[bands]) { op, count in
                next.withUnsafeMutableBufferPointer { np in
                    for (i, t) in sp.enumerated() where !(anyBlend && isBlend[i]) {
                        for band in bp[Int(t.minY)]...bp[Int(t.maxY)] { op[np[band]] = Int32(i); np[band] += 1 }
                    }
                }
                count = stp[bands]
            }
        }}}
        self.front = front
        self.setups = setups
        self.opaque = binned
        self.bandStart = start
        blend = blendList.enumerated().sorted { l, r in
            l.element.depth != r.element.depth ? l.element.depth > r.element.depth : l.offset < r.offset
        }.map { $0.element.setup }
    }
}
