extension RGBAImage {
    /// Fills `rect` (clipped to the image) with `color`, replacing pixels (contact sheets).
    public mutating func fill(_ rect: PixelRect, with color: RGBA8) {
        let area = bounds.intersection(rect)
        if area.isEmpty { return }
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            for y in area.y..<area.maxY {
                var i = (y * w + area.x) * 4
                for _ in 0..<area.width {
                    p[i] = color.r; p[i + 1] = color.g; p[i + 2] = color.b; p[i + 3] = color.a
                    i += 4
                }
            }
        }
    }

    /// Draws the outline of `rect` with lines `lineWidth` pixels thick, inside the rectangle
    /// (like Pillow's ImageDraw.rectangle(outline:, width:)).
    public mutating func stroke(_ rect: PixelRect, with color: RGBA8, lineWidth: Int = 1) {
        if rect.isEmpty || lineWidth <= 0 { return }
        let t = min(lineWidth, (min(rect.width, rect.height) + 1) / 2)
        fill(PixelRect(x: rect.x, y: rect.y, width: rect.width, height: t), with: color)
        fill(PixelRect(x: rect.x, y: rect.maxY - t, width: rect.width, height: t), with: color)
        fill(PixelRect(x: rect.x, y: rect.y, width: t, height: rect.height), with: color)
        fill(PixelRect(x: rect.maxX - t, y: rect.y, width: t, height: rect.height), with: color)
    }

    /// Draws a line from (x0, y0) to (x1, y1), both ends included (Bresenham's algorithm), with
    /// a square brush `lineWidth` pixels wide centred on the line; clipped to the image.
    public mutating func drawLine(fromX x0: Int, y y0: Int, toX x1: Int, y y1: Int, color: RGBA8, lineWidth: Int = 1) {
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        var x = x0, y = y0
        let offset = (lineWidth - 1) / 2
        while true {
            if lineWidth <= 1 {
                if x >= 0 && y >= 0 && x < width && y < height { self[x, y] = color }
            } else {
                fill(PixelRect(x: x - offset, y: y - offset, width: lineWidth, height: lineWidth), with: color)
            }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Draws `text` on one line with the built-in 5x7 `BitmapFont`, top-left corner of the first
    /// cell at (x, y), each font pixel a `scale` x `scale` square; returns the width drawn.
    @discardableResult
    public mutating func drawText(_ text: String, atX x: Int, y: Int, color: RGBA8, scale: Int = 1) -> Int {
        precondition(scale >= 1, "drawText: scale must be at least 1")
        var cursor = x
        for scalar in text.unicodeScalars {
            for column in 0..<5 {
                for row in 0..<7 where BitmapFont.isSet(scalar, column: column, row: row) {
                    fill(PixelRect(x: cursor + column * scale, y: y + row * scale, width: scale, height: scale), with: color)
                }
            }
            cursor += BitmapFont.cellWidth * scale
        }
        return cursor - x
    }
}
