/// Sample coverage of one triangle: edge functions with a top-left tie rule over a row range.
extension ViewSetup {
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
