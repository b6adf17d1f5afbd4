import Assets

/// The sample rows of one band: output rows [outY0, outY1) and supersampled rows [y0, y1).
struct BandRows {
    let outY0: Int, outY1: Int, y0: Int, y1: Int

    init(band: Int, height: Int, supersampling ss: Int) {
        outY0 = band * Rasterizer.bandRows
        outY1 = min(height, outY0 + Rasterizer.bandRows)
        y0 = outY0 * ss
        y1 = outY1 * ss
    }
}

/// The scene attributes and band buffers one band's passes read and write, as raw views.
struct BandMemory {
    let texels: UnsafeBufferPointer<Float>, uvs: UnsafeBufferPointer<Float>, colors: UnsafeBufferPointer<Float>
    let positions: UnsafeBufferPointer<Float>, normals: UnsafeBufferPointer<Float>
    let setups: UnsafeBufferPointer<TriangleSetup>
    let zbuf: UnsafeMutableBufferPointer<Float>, tbuf: UnsafeMutableBufferPointer<Int32>
    let b1buf: UnsafeMutableBufferPointer<Float>, b2buf: UnsafeMutableBufferPointer<Float>, cbuf: UnsafeMutableBufferPointer<Float>
}

/// The sample columns [lo, hi] any triangle of a band touched (empty while lo > hi).
struct TouchedColumns {
    var lo: Int, hi: Int

    mutating func include(_ span: (Int, Int)) {
        if span.1 >= span.0 { lo = min(lo, span.0); hi = max(hi, span.1) }
    }
}

/// One band of one view: visibility, shading once per (pixel, triangle), blending, resolve.
extension ViewSetup {
    /// Renders output rows of `band` into the output buffers. `buffers` are clean on entry (fresh,
    /// or cleared over the used range by the previous band) and are left clean.
    func renderBand(_ band: Int, setups: [TriangleSetup], opaque: ArraySlice<Int32>, blend: [Int32], buffers: inout BandBuffers,
                    pixels: UnsafeMutableBufferPointer<UInt8>, depth: UnsafeMutableBufferPointer<Float>, mask: UnsafeMutableBufferPointer<UInt8>) {
        if opaque.isEmpty && blend.isEmpty { return }
        let rows = BandRows(band: band, height: settings.height, supersampling: ss)
        scene.texels.withUnsafeBufferPointer { texels in
        scene.uvs.withUnsafeBufferPointer { uvs in
        scene.colors.withUnsafeBufferPointer { colors in
        scene.positions.withUnsafeBufferPointer { positions in
        scene.normals.withUnsafeBufferPointer { normals in
        setups.withUnsafeBufferPointer { setupp in
        buffers.invW.withUnsafeMutableBufferPointer { zbuf in
        buffers.tri.withUnsafeMutableBufferPointer { tbuf in
        buffers.b1.withUnsafeMutableBufferPointer { b1buf in
        buffers.b2.withUnsafeMutableBufferPointer { b2buf in
        buffers.color.withUnsafeMutableBufferPointer { cbuf in
            let memory = BandMemory(texels: texels, uvs: uvs, colors: colors, positions: positions, normals: normals,
                                    setups: setupp,
                                    zbuf: zbuf, tbuf: tbuf, b1buf: b1buf, b2buf: b2buf, cbuf: cbuf)
            var touched = TouchedColumns(lo: W, hi: -1)
            visibilityPass(opaque, rows: rows, memory: memory, touched: &touched)
            shadingPass(rows: rows, memory: memory, touched: touched)
            blendPass(blend, rows: rows, memory: memory, touched: &touched)
            resolve(rows: rows, memory: memory, touched: touched, pixels: pixels, depth: depth, mask: mask)
            clear(rows: rows, memory: memory, touched: touched)
        }}}}}}}}}}}
    }

    /// Pass 1: the nearest opaque or alpha-tested triangle of every sample (z-buffer on 1/w),
    /// with the first two screen barycentrics times their vertices' 1/w.
    private func visibilityPass(_ opaque: ArraySlice<Int32>, rows: BandRows, memory m: BandMemory, touched: inout TouchedColumns) {
        // Most scenes have no alpha-tested material: then no triangle needs its material looked up.
        let anyMask = scene.materials.contains { $0.alphaMode == .mask }
        for i in opaque {
            let t = m.setups[Int(i)]
            let s = Int(t.tri)
            let span: (Int, Int)
            let material = anyMask ? scene.materials[Int(scene.triangleMaterial[Int(triOrig[s])])] : nil
            if let material, material.alphaMode == .mask {
                span = raster(t, rows.y0, rows.y1) { base, inside, iw, q0, q1 in
                    forEachLane(inside) { i in
                        let idx = base + i
                        guard iw[i] > m.zbuf[idx] else { return }
                        let r = 1 / iw[i]
                        let p0 = q0[i] * r, p1 = q1[i] * r, p2 = 1 - p0 - p1
                        let c = baseColor(s, p0, p1, p2, uvs: m.uvs, colors: m.colors, texels: m.texels)
                        guard c.a >= material.alphaCutoff else { return }
                        m.zbuf[idx] = iw[i]; m.tbuf[idx] = Int32(s); m.b1buf[idx] = q0[i]; m.b2buf[idx] = q1[i]
                    }
                }
            } else {
                span = raster(t, rows.y0, rows.y1) { base, inside, iw, q0, q1 in
                    let z = Lanes.load(m.zbuf, base)
                    // Written whole even when no lane is nearer: a branch on that mispredicts more than the stores cost.
                    let nearer = inside .& (iw .> z)
                    z.replacing(with: iw, where: nearer).store(m.zbuf, base)
                    SIMD4<Int32>.load(m.tbuf, base).replacing(with: Int32(s), where: nearer).store(m.tbuf, base)
                    Lanes.load(m.b1buf, base).replacing(with: q0, where: nearer).store(m.b1buf, base)
                    Lanes.load(m.b2buf, base).replacing(with: q1, where: nearer).store(m.b2buf, base)
                }
            }
            touched.include(span)
        }
    }

    /// Pass 2: shade the visible samples, once per (pixel, triangle) like MSAA: samples of one
    /// pixel that hit the same triangle share the colour shaded at the first of them.
    private func shadingPass(rows: BandRows, memory m: BandMemory, touched: TouchedColumns) {
        let oxLo = touched.lo / ss, oxHi = touched.hi / ss
        for oy in rows.outY0..<rows.outY1 where oxLo <= oxHi {
            for ox in oxLo...oxHi {
                var last = -1
                var lr: Float = 0, lg: Float = 0, lb: Float = 0
                for dy in 0..<ss {
                    let row = (oy * ss + dy - rows.y0) * W + ox * ss
                    for dx in 0..<ss {
                        let idx = row + dx
                        let s = Int(m.tbuf[idx])
                        guard s >= 0 else { continue }
                        if s != last {
                            let r = 1 / m.zbuf[idx]
                            let p1 = m.b2buf[idx] * r, p2 = 1 - m.b1buf[idx] * r - p1, p0 = 1 - p1 - p2
                            let c = baseColor(s, p0, p1, p2, uvs: m.uvs, colors: m.colors, texels: m.texels)
                            let k = shade(s, p0, p1, p2, positions: m.positions, normals: m.normals)
                            lr = c.r * k; lg = c.g * k; lb = c.b * k
                            last = s
                        }
                        m.cbuf[idx * 4] = lr; m.cbuf[idx * 4 + 1] = lg; m.cbuf[idx * 4 + 2] = lb; m.cbuf[idx * 4 + 3] = 1
                    }
                }
            }
        }
    }

    /// Pass 3: blended triangles back to front, depth-tested against the opaque surface.
    private func blendPass(_ blend: [Int32], rows: BandRows, memory m: BandMemory, touched: inout TouchedColumns) {
        for i in blend {
            let t = m.setups[Int(i)]
            let s = Int(t.tri)
            let span = raster(t, rows.y0, rows.y1) { base, inside, iws, q0s, q1s in forEachLane(inside) { i in
                let idx = base + i, iw = iws[i]
                guard iw > m.zbuf[idx] else { return }
                let r = 1 / iw
                let p0 = q0s[i] * r, p1 = q1s[i] * r, p2 = 1 - p0 - p1
                let col = baseColor(s, p0, p1, p2, uvs: m.uvs, colors: m.colors, texels: m.texels)
                let alpha = min(max(col.a, 0), 1)
                guard alpha > 0 else { return }
                let k = shade(s, p0, p1, p2, positions: m.positions, normals: m.normals)
                let keep = 1 - alpha
                m.cbuf[idx * 4] = col.r * k * alpha + m.cbuf[idx * 4] * keep
                m.cbuf[idx * 4 + 1] = col.g * k * alpha + m.cbuf[idx * 4 + 1] * keep
                m.cbuf[idx * 4 + 2] = col.b * k * alpha + m.cbuf[idx * 4 + 2] * keep
                m.cbuf[idx * 4 + 3] = alpha + m.cbuf[idx * 4 + 3] * keep
            }}
            touched.include(span)
        }
    }

    /// Resolve: box filter of premultiplied samples, then straight alpha and sRGB; depth is the
    /// nearest sample's, the mask the coverage.
    private func resolve(rows: BandRows, memory m: BandMemory, touched: TouchedColumns, pixels: UnsafeMutableBufferPointer<UInt8>,
                         depth: UnsafeMutableBufferPointer<Float>, mask: UnsafeMutableBufferPointer<UInt8>) {
        let n = Float(ss * ss)
        let rxLo = touched.lo / ss, rxHi = touched.hi / ss
        for oy in rows.outY0..<rows.outY1 where rxLo <= rxHi {
            for ox in rxLo...rxHi {
                var r: Float = 0, g: Float = 0, b: Float = 0, a: Float = 0
                var nearest: Float = 0
                for dy in 0..<ss {
                    let row = (oy * ss + dy - rows.y0) * W
                    for dx in 0..<ss {
                        let idx = row + ox * ss + dx
                        r += m.cbuf[idx * 4]; g += m.cbuf[idx * 4 + 1]; b += m.cbuf[idx * 4 + 2]; a += m.cbuf[idx * 4 + 3]
                        nearest = max(nearest, m.zbuf[idx])
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
    }

    /// Leaves the buffers clean for the next band (only the touched columns were written).
    private func clear(rows: BandRows, memory m: BandMemory, touched: TouchedColumns) {
        guard touched.lo <= touched.hi else { return }
        for row in 0..<(rows.y1 - rows.y0) {
            for i in (row * W + touched.lo)...(row * W + touched.hi) {
                m.zbuf[i] = 0; m.tbuf[i] = -1
                m.cbuf[i * 4] = 0; m.cbuf[i * 4 + 1] = 0; m.cbuf[i * 4 + 2] = 0; m.cbuf[i * 4 + 3] = 0
            }
        }
    }
}

/// Unaligned loads and stores of a group of lanes at an element offset of a band buffer.
extension SIMD4 {
    @inline(__always) static func load(_ buffer: UnsafeMutableBufferPointer<Scalar>, _ offset: Int) -> Self {
        UnsafeRawPointer(buffer.baseAddress! + offset).loadUnaligned(as: Self.self)
    }

    @inline(__always) func store(_ buffer: UnsafeMutableBufferPointer<Scalar>, _ offset: Int) {
        UnsafeMutableRawPointer(buffer.baseAddress! + offset).storeBytes(of: self, as: Self.self)
    }
}
