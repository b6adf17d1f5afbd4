/// The band-independent scan setup of one triangle, computed once per view when it is binned
/// and read by every band it touches (one cache line instead of a gather through the vertex
/// arrays): screen vertices and their 1/w, 1/area, orientation, edge tie rules and the sample
/// box clamped to the grid. Every value is the expression the scan used to compute per band.
struct TriangleSetup {
    let ax: Float, ay: Float, bx: Float, by: Float, cx: Float, cy: Float
    let wa: Float, wb: Float, wc: Float
    /// 1 / signed area.
    let inv: Float
    /// Sample box: the columns and rows whose centres (k + 0.5) lie in the triangle's bounds, clamped to the grid.
    let minX: Int32, maxX: Int32, minY: Int32, maxY: Int32
    /// The clipped triangle's index.
    let tri: Int32
    /// `positive`, the three `topLeft` edge bits and `narrow`.
    let flags: UInt32

    static let positive: UInt32 = 1, topLeft0: UInt32 = 2, topLeft1: UInt32 = 4, topLeft2: UInt32 = 8, narrow: UInt32 = 16

    /// +1 when the signed area is positive, else -1: edge functions times it are >= 0 inside.
    @inline(__always) var sign: Float { flags & Self.positive != 0 ? 1 : -1 }

    /// Whether rows are narrowed to the span where all three edge functions can be non-negative:
    /// boxes wider than two lane groups, or any box when a vertex lies 2^16 samples or more out.
    @inline(__always) var narrows: Bool { flags & Self.narrow != 0 }

    /// The least accepted value of edge `bit`: 0 on a top-left edge (a sample exactly on it is
    /// drawn), else the least positive float (exactly "e > 0").
    @inline(__always) func least(_ bit: UInt32) -> Float { flags & bit != 0 ? 0 : .leastNonzeroMagnitude }

    /// The setup of triangle `tri` with screen vertices a, b, c, their 1/w and its non-zero finite
    /// signed `area` on a `width` x `height` sample grid; nil when its box holds no sample centre.
    @inline(__always)
    init?(tri: Int, ax: Float, ay: Float, bx: Float, by: Float, cx: Float, cy: Float, wa: Float, wb: Float, wc: Float,
          area: Float, width: Int, height: Int) {
        // Sample centres x + 0.5 inside [min, max]: ceil(min - 0.5) ... floor(max - 0.5), clamped.
        @inline(__always) func ceilAtLeast(_ v: Float, _ lo: Int) -> Int {
            let c = max(Float(lo), min(v, 1e7)); var i = Int(c); if Float(i) < c { i += 1 }; return i
        }
        @inline(__always) func floorAtMost(_ v: Float, _ hi: Int) -> Int {
            let c = min(Float(hi), max(v, -1e7)); var i = Int(c); if Float(i) > c { i -= 1 }; return i
        }
        let loX = min3(ax, bx, cx), hiX = max3(ax, bx, cx), loY = min3(ay, by, cy), hiY = max3(ay, by, cy)
        let minX = ceilAtLeast(loX - 0.5, 0), maxX = floorAtMost(hiX - 0.5, width - 1)
        let minY = ceilAtLeast(loY - 0.5, 0), maxY = floorAtMost(hiY - 0.5, height - 1)
        guard minX <= maxX, minY <= maxY else { return nil }
        let sign: Float = area > 0 ? 1 : -1
        @inline(__always) func topLeft(_ dx: Float, _ dy: Float) -> Bool {
            // In the orientation where inside is positive: a "top" edge is horizontal going left, a "left" edge goes down.
            let ddx = dx * sign, ddy = dy * sign
            return (ddy == 0 && ddx < 0) || ddy > 0
        }
        // On sample coordinates below 2^16 in magnitude the rounding of a narrowed span is under
        // 0.05 samples, so a box of up to two lane groups is tested whole (see `ViewSetup.raster`).
        let bounded = loX > -65536 && hiX < 65536 && loY > -65536 && hiY < 65536
        var flags: UInt32 = area > 0 ? Self.positive : 0
        if topLeft(cx - bx, cy - by) { flags |= Self.topLeft0 }
        if topLeft(ax - cx, ay - cy) { flags |= Self.topLeft1 }
        if topLeft(bx - ax, by - ay) { flags |= Self.topLeft2 }
        if !bounded || maxX - minX >= 2 * ViewSetup.Lanes.scalarCount { flags |= Self.narrow }
        self.ax = ax; self.ay = ay; self.bx = bx; self.by = by; self.cx = cx; self.cy = cy
        self.wa = wa; self.wb = wb; self.wc = wc
        inv = 1 / area
        self.minX = Int32(minX); self.maxX = Int32(maxX); self.minY = Int32(minY); self.maxY = Int32(maxY)
        self.tri = Int32(tri)
        self.flags = flags
    }
}
