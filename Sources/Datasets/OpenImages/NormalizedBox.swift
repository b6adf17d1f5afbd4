/// An axis-aligned box in coordinates normalised to [0, 1] of the image's width and height, the
/// way every Open Images CSV stores boxes (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html: XMin, XMax, YMin, YMax).
public struct NormalizedBox: Sendable, Equatable, Hashable {
    /// Left edge, fraction of the width.
    public var xMin: Double
    /// Right edge, fraction of the width.
    public var xMax: Double
    /// Top edge, fraction of the height.
    public var yMin: Double
    /// Bottom edge, fraction of the height.
    public var yMax: Double

    /// Creates a box from its four edges.
    public init(xMin: Double, xMax: Double, yMin: Double, yMax: Double) {
        self.xMin = xMin
        self.xMax = xMax
        self.yMin = yMin
        self.yMax = yMax
    }

    /// Width as a fraction of the image width.
    public var width: Double { xMax - xMin }
    /// Height as a fraction of the image height.
    public var height: Double { yMax - yMin }
    /// Area as a fraction of the image area (Paint-by-Example's "normalised area").
    public var area: Double { max(0, width) * max(0, height) }

    /// True when every edge is within `tolerance` of `other`'s: how a mask's box is matched to
    /// its row in the box CSV (masks store coordinates with 6-digit precision).
    @inline(__always)
    public func matches(_ other: NormalizedBox, tolerance: Double = 1e-6) -> Bool {
        abs(xMin - other.xMin) <= tolerance && abs(xMax - other.xMax) <= tolerance
            && abs(yMin - other.yMin) <= tolerance && abs(yMax - other.yMax) <= tolerance
    }

    /// Checks the edges lie in [0, 1] (with `slack` for rounding) and min <= max.
    func validate(slack: Double = 1e-3) throws(RowProblem) {
        for value in [xMin, xMax, yMin, yMax] where !(value >= -slack && value <= 1 + slack) {
            throw RowProblem("box coordinate \(value) outside [0, 1]")
        }
        if xMin > xMax || yMin > yMax { throw RowProblem("box has min > max (\(xMin)-\(xMax), \(yMin)-\(yMax))") }
    }
}
