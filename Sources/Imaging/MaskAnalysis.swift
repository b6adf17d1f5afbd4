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

/// Connected components of a mask (pixels > `threshold`), labelled by flood fill in raster
/// order: label 1 is the component met first scanning rows top to bottom. Used for AnyDoor's
/// filter "largest connected component > 90% of the mask" (formats.md).
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
        var labels = [Int32](repeating: 0, count: w * h)
        var areas: [Int] = [], boxes: [PixelRect] = []
        var stack: [Int] = []
        let offsets: [(Int, Int)] = connectivity == .four
            ? [(1, 0), (-1, 0), (0, 1), (0, -1)]
            : [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]
        mask.pixels.withUnsafeBufferPointer { m in
            for start in 0..<(w * h) where m[start] > threshold && labels[start] == 0 {
                let label = Int32(areas.count + 1)
                labels[start] = label
                stack.append(start)
                var area = 0, x0 = w, y0 = h, x1 = -1, y1 = -1
                while let i = stack.popLast() {
                    area += 1
                    let x = i % w, y = i / w
                    x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
                    for (dx, dy) in offsets {
                        let nx = x + dx, ny = y + dy
                        if nx < 0 || ny < 0 || nx >= w || ny >= h { continue }
                        let j = ny * w + nx
                        if m[j] > threshold && labels[j] == 0 { labels[j] = label; stack.append(j) }
                    }
                }
                areas.append(area)
                boxes.append(PixelRect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1))
            }
        }
        self.width = w; self.height = h; self.labels = labels; self.areas = areas; self.boxes = boxes
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
