extension GrayImage {
    /// The tightest rectangle holding every pixel whose value is greater than `threshold`
    /// (default 0: any non-zero pixel), or nil for an empty mask (Pillow's Image.getbbox).
    public func boundingBox(threshold: UInt8 = 0) -> PixelRect? {
        var minX = width, minY = height, maxX = -1, maxY = -1
        pixels.withUnsafeBufferPointer { p in
            for y in 0..<height {
                let row = y * width
                var first = -1, last = -1
                for x in 0..<width where p[row + x] > threshold {
                    if first < 0 { first = x }
                    last = x
                }
                if first >= 0 {
                    minX = min(minX, first); maxX = max(maxX, last)
                    if minY == height { minY = y }
                    maxY = y
                }
            }
        }
        if maxX < 0 { return nil }
        return PixelRect(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
    }
}

/// Neighbourhoods for connected components.
public enum Connectivity: Int, Sendable {
    /// Edge neighbours only (up, down, left, right).
    case four = 4
    /// Edge and corner neighbours (scipy.ndimage.label with a 3x3 structure; OpenCV's default).
    case eight = 8
}

/// Connected components of a mask (pixels > `threshold`), labelled in raster order: label 1 is
/// the component met first scanning rows top to bottom (the numbering of scipy.ndimage.label).
/// Used for AnyDoor's filter "largest connected component > 90% of the mask" (AnyDoor, arXiv:2307.09481).
/// Runs of foreground pixels are joined with union-find (cost grows with the number of runs, not
/// pixels), then labels are written run by run.
public struct ConnectedComponents: Sendable, Equatable {
    /// Size of the labelled mask.
    public let width: Int, height: Int
    /// Per pixel: 0 background, k > 0 the component's label.
    public let labels: [Int32]
    /// Pixel count of component k at index k - 1.
    public let areas: [Int]
    /// Tight bounding box of component k at index k - 1.
    public let boxes: [PixelRect]
    /// The neighbourhood used.
    public let connectivity: Connectivity

    /// Labels `mask` (pixels whose value is greater than `threshold`); default 8-connected.
    public init(_ mask: GrayImage, threshold: UInt8 = 0, connectivity: Connectivity = .eight) {
        let w = mask.width, h = mask.height
        // 1. runs [start, end) per row, in raster order
        var runStart: [Int32] = [], runEnd: [Int32] = [], runRow: [Int32] = []
        var rowFirstRun = [Int](repeating: 0, count: h + 1)
        mask.pixels.withUnsafeBufferPointer { m in
            for y in 0..<h {
                rowFirstRun[y] = runStart.count
                let row = m.baseAddress! + y * w
                var x = 0
                while x < w {
                    while x < w && row[x] <= threshold { x += 1 }
                    if x == w { break }
                    let start = x
                    while x < w && row[x] > threshold { x += 1 }
                    runStart.append(Int32(start)); runEnd.append(Int32(x)); runRow.append(Int32(y))
                }
            }
            rowFirstRun[h] = runStart.count
        }
        let runCount = runStart.count
        // 2. union-find over runs, joining each run with the overlapping runs of the row above
        var parent = [Int32](unsafeUninitializedCapacity: runCount) { b, n in
            for i in 0..<runCount { b[i] = Int32(i) }
            n = runCount
        }
        let reach: Int32 = connectivity == .eight ? 1 : 0
        parent.withUnsafeMutableBufferPointer { p in
            func find(_ i: Int32) -> Int32 {
                var r = i
                while p[Int(r)] != r { r = p[Int(r)] }
                var j = i
                while p[Int(j)] != r { let next = p[Int(j)]; p[Int(j)] = r; j = next }
                return r
            }
            if h > 1 {
                for y in 1..<h {
                    var above = rowFirstRun[y - 1]
                    let aboveEnd = rowFirstRun[y]
                    for current in rowFirstRun[y]..<rowFirstRun[y + 1] {
                        let cs = runStart[current], ce = runEnd[current]
                        // skip runs above that end before this one can touch
                        while above < aboveEnd && runEnd[above] + reach <= cs { above += 1 }
                        var k = above
                        while k < aboveEnd && runStart[k] < ce + reach {
                            let a = find(Int32(k)), b = find(Int32(current))
                            if a != b { if a < b { p[Int(b)] = a } else { p[Int(a)] = b } }
                            k += 1
                        }
                    }
                }
            }
            for i in 0..<runCount { _ = find(Int32(i)) }
        }
        // 3. final labels in raster order of each component's first run; areas, boxes, label image
        var finalLabel = [Int32](repeating: 0, count: runCount)
        var areas: [Int] = [], x0: [Int] = [], y0: [Int] = [], x1: [Int] = [], y1: [Int] = []
        var labels = [Int32](repeating: 0, count: w * h)
        labels.withUnsafeMutableBufferPointer { l in
            for i in 0..<runCount {
                let root = Int(parent[i])
                var label = finalLabel[root]
                if label == 0 {
                    areas.append(0); x0.append(w); y0.append(h); x1.append(-1); y1.append(-1)
                    label = Int32(areas.count)
                    finalLabel[root] = label
                }
                let k = Int(label) - 1
                let s = Int(runStart[i]), e = Int(runEnd[i]), y = Int(runRow[i])
                areas[k] += e - s
                x0[k] = min(x0[k], s); x1[k] = max(x1[k], e - 1); y0[k] = min(y0[k], y); y1[k] = max(y1[k], y)
                (l.baseAddress! + y * w + s).update(repeating: label, count: e - s)
            }
        }
        self.width = w; self.height = h; self.labels = labels; self.areas = areas
        self.boxes = areas.indices.map { PixelRect(x: x0[$0], y: y0[$0], width: x1[$0] - x0[$0] + 1, height: y1[$0] - y0[$0] + 1) }
        self.connectivity = connectivity
    }

    /// Number of components.
    public var count: Int { areas.count }
    /// Total foreground pixels.
    public var foregroundArea: Int { areas.reduce(0, +) }
    /// Label (1-based) of the largest component (the first one on ties), nil when there is none.
    public var largestLabel: Int? { areas.indices.max(by: { areas[$0] < areas[$1] || (areas[$0] == areas[$1] && $0 > $1) }).map { $0 + 1 } }
    /// The largest component's share of all foreground pixels, 0...1 (0 for an empty mask).
    public var largestShare: Double {
        let total = foregroundArea
        guard total > 0, let l = largestLabel else { return 0 }
        return Double(areas[l - 1]) / Double(total)
    }
    /// A 0/255 mask of component `label` only.
    public func mask(of label: Int) -> GrayImage {
        GrayImage(width: width, height: height, pixels: labels.map { $0 == Int32(label) ? 255 : 0 })
    }
}
