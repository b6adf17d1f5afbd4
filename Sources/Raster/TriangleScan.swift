/// Sample coverage of one triangle: edge functions with a top-left tie rule over a row range.
extension ViewSetup {
    /// Samples tested at once along a row.
    typealias Lanes = SIMD4<Float>
    /// Which lanes of a group of samples are inside.
    typealias LaneMask = SIMDMask<SIMD4<Int32>>

    /// Visits the samples of triangle setup `t` inside sample rows [y0, y1) four of a row at a
    /// time: `chunk` gets (for every group of the rows' spans, even with no lane inside: bodies test
    /// their own lanes) the band index of the group's first sample, the lanes inside, and per
    /// lane 1/w and the first two screen barycentrics times their vertices' 1/w (the
    /// perspective-correct barycentrics are those divided by 1/w: bodies divide only after their
    /// depth test). Sample centres sit at half-integers; edges use a top-left style tie rule so
    /// shared edges are drawn once. Every lane computes exactly the scalar expressions, so
    /// coverage and values do not depend on the lane width. Lanes past the row's end may index
    /// the next row (or up to `Lanes.scalarCount` past the band): they are never inside.
    @inline(__always) @discardableResult
    func raster(_ t: TriangleSetup, _ y0: Int, _ y1: Int, _ chunk: (Int, LaneMask, Lanes, Lanes, Lanes) -> Void) -> (Int, Int) {
        let minY = max(Int(t.minY), y0), maxY = min(Int(t.maxY), y1 - 1)
        guard minY <= maxY else { return (0, -1) }
        let minX = Int(t.minX), maxX = Int(t.maxX)
        let ax = t.ax, ay = t.ay, bx = t.bx, by = t.by, cx = t.cx, cy = t.cy
        let inv = t.inv
        let wa = t.wa, wb = t.wb, wc = t.wc
        // Edge functions e0 (b->c), e1 (c->a), e2 (a->b), scaled so they are >= 0 inside.
        let sign = t.sign
        // Per row, each edge function is linear in x (e = A * px + B): on boxes wider than two
        // groups of lanes, narrow the scan to the span where all three can be non-negative, widened
        // by one sample so rounding never drops a sample the exact test below would accept (the
        // result is identical to a full box scan). On sample coordinates below 2^16 in magnitude
        // the rounding of either side is under 0.05 samples, so a box of up to two groups is tested
        // whole (narrowing costs more than the group it may save); beyond that (unnormalised
        // scenes) every row is narrowed as always.
        let narrow = t.narrows
        let a0 = -(cy - by) * sign, a1 = -(ay - cy) * sign, a2 = -(by - ay) * sign
        let r0 = narrow && a0 != 0 ? -1 / a0 : 0, r1 = narrow && a1 != 0 ? -1 / a1 : 0, r2 = narrow && a2 != 0 ? -1 / a2 : 0
        let fMinX = Float(minX), fMaxX = Float(maxX)
        let offsets = Lanes(0.5, 1.5, 2.5, 3.5)
        // Per edge, the least value accepted (top-left rule). A NaN edge value fails here where
        // the scalar test let it pass, but its 1/w is NaN and fails `iw > 0` either way.
        let least0 = t.least(TriangleSetup.topLeft0), least1 = t.least(TriangleSetup.topLeft1), least2 = t.least(TriangleSetup.topLeft2)
        for y in minY...maxY {
            let py = Float(y) + 0.5
            let rowBase = (y - y0) * W
            var xs = minX, xe = maxX
            if narrow {
                var lo = fMinX, hi = fMaxX
                let k0 = ((cx - bx) * (py - by) + (cy - by) * bx) * sign
                let k1 = ((ax - cx) * (py - cy) + (ay - cy) * cx) * sign
                let k2 = ((bx - ax) * (py - ay) + (by - ay) * ax) * sign
                if a0 > 0 { lo = max(lo, k0 * r0 - 1.5) } else if a0 < 0 { hi = min(hi, k0 * r0 + 0.5) } else if k0 < 0 { continue }
                if a1 > 0 { lo = max(lo, k1 * r1 - 1.5) } else if a1 < 0 { hi = min(hi, k1 * r1 + 0.5) } else if k1 < 0 { continue }
                if a2 > 0 { lo = max(lo, k2 * r2 - 1.5) } else if a2 < 0 { hi = min(hi, k2 * r2 + 0.5) } else if k2 < 0 { continue }
                if !(lo <= hi) { continue }
                var l = Int(lo); if Float(l) < lo { l += 1 }
                var h = Int(hi); if Float(h) > hi { h -= 1 }
                xs = max(l, minX); xe = min(h, maxX)
                if xs > xe { continue }
            }
            // The products of the row's y terms, shared by its samples (as the scalar expressions group them).
            let t0 = (cx - bx) * (py - by), t1 = (ax - cx) * (py - cy), t2 = (bx - ax) * (py - ay)
            let lastCentre = Float(xe) + 0.5
            var x = xs
            while x <= xe {
                let px = Float(x) + offsets
                let x0 = t0 - (cy - by) * (px - bx), x1 = t1 - (ay - cy) * (px - cx), x2 = t2 - (by - ay) * (px - ax)
                let e0 = x0 * sign, e1 = x1 * sign, e2 = x2 * sign
                // Inside: no edge negative, and an edge exactly through the sample only if it is top-left.
                var inside = px .<= lastCentre
                inside .&= e0 .>= least0
                inside .&= e1 .>= least1
                inside .&= e2 .>= least2
                // The barycentrics e * inv * sign: sign is +-1, and IEEE rounding is symmetric, so
                // (x * sign * inv) * sign is exactly x * inv (the lanes inside are never NaN).
                let l0 = x0 * inv, l1 = x1 * inv, l2 = x2 * inv
                let q0 = l0 * wa, q1 = l1 * wb
                let iw = q0 + q1 + l2 * wc
                inside .&= iw .> 0
                chunk(rowBase + x, inside, iw, q0, q1)
                x += Lanes.scalarCount
            }
        }
        return (minX, maxX)
    }
}

/// Runs `body` for each lane inside, in lane order.
@inline(__always) func forEachLane(_ inside: ViewSetup.LaneMask, _ body: (Int) -> Void) {
    for i in 0..<ViewSetup.Lanes.scalarCount where inside[i] { body(i) }
}

/// `min(x, y, z)` without the variadic overload's call: the standard library's is `min(min(x, y), z)`.
@inline(__always) func min3(_ x: Float, _ y: Float, _ z: Float) -> Float { min(min(x, y), z) }

/// `max(x, y, z)` without the variadic overload's call: the standard library's is `max(max(x, y), z)`.
@inline(__always) func max3(_ x: Float, _ y: Float, _ z: Float) -> Float { max(max(x, y), z) }

/// Whether any lane is set (the standard library's `any` is a generic call here; a set lane is all ones).
@inline(__always) func anyLane(_ mask: ViewSetup.LaneMask) -> Bool {
    unsafeBitCast(mask, to: SIMD4<Int32>.self).wrappedSum() != 0
}
