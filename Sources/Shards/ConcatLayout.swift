/// Where CustomNet's loader puts the reference on the concat canvas: TencentARC/CustomNet
/// data/dataset.py `get_data`, as summarised in CustomNet, arXiv:2310.19784 and github.com/TencentARC/CustomNet data/dataset.py, with the
/// integer arithmetic of that code:
/// 1. bbox [x, y, w, h] in target pixels -> canvas: `trunc(255 * v / W)` (x, w) and `/ H` (y, h);
///    note 255, not 256, in the released code;
/// 2. square side `s = trunc(max(w, h) * 256 / 200)` (undoes the 200-in-256 framing of the reference);
/// 3. the square is centred on the box: `x0 -= (s - w) // 2`, same for y; `x1 = x0 + s`;
/// 4. clipped to the 256 canvas; the part of the reference that falls off is cut from the source
///    window: `xx0 = trunc(-x0 * 256 / s)` when x0 < 0, `xx1 = 256 - trunc((x1 - 256) * 256 / s)` when x1 > 256;
/// 5. the source window of the 256x256 reference is resized (bilinear, see `ConcatBuilder`) into the
///    destination rectangle of a white canvas.
/// When the released code would raise (zero-sized box or empty window), its `except` uses the
/// reference itself as the concat image; `compute` returns nil for those cases.
public struct ConcatLayout: Sendable, Equatable {
    /// Canvas side (CustomNet works at 256).
    public static let canvas = 256

    /// Destination rectangle on the canvas, half-open: [x0, x1) x [y0, y1).
    public let x0: Int, y0: Int, x1: Int, y1: Int
    /// Source window in the 256x256 reference, half-open: [sx0, sx1) x [sy0, sy1).
    public let sx0: Int, sy0: Int, sx1: Int, sy1: Int
    /// The square side before clipping.
    public let side: Int

    /// The layout for a box in a target of `imageWidth` x `imageHeight` pixels; nil when CustomNet's
    /// loader falls back to the plain reference. Throws for a non-positive image size or negative box size.
    public static func compute(bbox: PixelBox, imageWidth: Int, imageHeight: Int) throws -> ConcatLayout? {
        guard imageWidth > 0, imageHeight > 0 else {
            throw ShardError(.badConcatInput, "target size \(imageWidth)x\(imageHeight) must be positive")
        }
        guard bbox.width >= 0, bbox.height >= 0 else {
            throw ShardError(.badConcatInput, "bbox \(bbox.components) has a negative size")
        }
        func scaled(_ value: Int, _ extent: Int) -> Int { Int((Double(255 * value) / Double(extent)).rounded(.towardZero)) }
        let bx = scaled(bbox.x, imageWidth), by = scaled(bbox.y, imageHeight)
        let bw = scaled(bbox.width, imageWidth), bh = scaled(bbox.height, imageHeight)
        let side = Int((Double(max(bw, bh) * 256) / 200).rounded(.towardZero))
        guard side > 0 else { return nil }
        var x0 = bx - floorDiv(side - bw, 2), y0 = by - floorDiv(side - bh, 2)
        var x1 = x0 + side, y1 = y0 + side
        var sx0 = 0, sy0 = 0, sx1 = canvas, sy1 = canvas
        func cut(_ overhang: Int) -> Int { Int((Double(overhang * 256) / Double(side)).rounded(.towardZero)) }
        if x0 < 0 { sx0 += cut(-x0); x0 = 0 }
        if y0 < 0 { sy0 += cut(-y0); y0 = 0 }
        if x1 > canvas { sx1 = canvas - cut(x1 - canvas); x1 = canvas }
        if y1 > canvas { sy1 = canvas - cut(y1 - canvas); y1 = canvas }
        guard x1 > x0, y1 > y0, sx1 > sx0, sy1 > sy0, x0 < canvas, y0 < canvas else { return nil }
        return ConcatLayout(x0: x0, y0: y0, x1: x1, y1: y1, sx0: sx0, sy0: sy0, sx1: sx1, sy1: sy1, side: side)
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
