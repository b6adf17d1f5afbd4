/// One straight-alpha 8-bit RGBA colour (the pixel of `RGBAImage`).
public struct RGBA8: Sendable, Hashable {
    /// Red, green, blue, alpha; 0...255, alpha 255 = opaque, colour not premultiplied.
    public var r: UInt8, g: UInt8, b: UInt8, a: UInt8
    /// Creates a colour; alpha defaults to opaque.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }
    /// Opaque white (CustomNet's canvas background).
    public static let white = RGBA8(255, 255, 255)
    /// Opaque black.
    public static let black = RGBA8(0, 0, 0)
    /// Fully transparent black.
    public static let transparent = RGBA8(0, 0, 0, 0)
}

/// An integer pixel rectangle: origin at the top-left, x to the right, y down; `width`/`height`
/// may be zero. Matches the manifest's bbox_x, bbox_y, bbox_w, bbox_h convention.
public struct PixelRect: Sendable, Hashable, CustomStringConvertible {
    /// Left column, top row, and size in pixels.
    public var x: Int, y: Int, width: Int, height: Int
    /// Creates a rectangle.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    /// One past the right column.
    public var maxX: Int { x + width }
    /// One past the bottom row.
    public var maxY: Int { y + height }
    /// width x height.
    public var area: Int { width * height }
    /// True when the rectangle holds no pixel.
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    /// The overlap of two rectangles (empty, at the origin, when they do not meet).
    public func intersection(_ other: PixelRect) -> PixelRect {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        if x1 <= x0 || y1 <= y0 { return PixelRect(x: 0, y: 0, width: 0, height: 0) }
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
    /// "x,y wxh".
    public var description: String { "\(x),\(y) \(width)x\(height)" }
}
