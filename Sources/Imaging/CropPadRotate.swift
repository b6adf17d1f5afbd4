/// Byte-level helpers shared by RGBA (4 bytes a pixel) and gray (1 byte) images.
enum PixelBlocks {
    /// Copies `rect` of a `width` x `height` image into a new buffer; outside pixels get `fill`.
    static func crop(_ src: [UInt8], width: Int, height: Int, bpp: Int, rect: PixelRect, fill: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(0, rect.width) * max(0, rect.height) * bpp)
        if rect.isEmpty { return out }
        if fill.contains(where: { $0 != 0 }) {
            for i in 0..<(rect.width * rect.height) { for c in 0..<bpp { out[i * bpp + c] = fill[c] } }
        }
        let inside = PixelRect(x: 0, y: 0, width: width, height: height).intersection(rect)
        if inside.isEmpty { return out }
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                for row in inside.y..<inside.maxY {
                    let si = (row * width + inside.x) * bpp
                    let di = ((row - rect.y) * rect.width + (inside.x - rect.x)) * bpp
                    (d.baseAddress! + di).update(from: s.baseAddress! + si, count: inside.width * bpp)
                }
            }
        }
        return out
    }

    /// Rotates by a multiple of 90 degrees counter-clockwise; returns (bytes, newWidth, newHeight).
    static func rotate(_ src: [UInt8], width: Int, height: Int, bpp: Int, quarterTurns: Int) -> ([UInt8], Int, Int) {
        let turns = ((quarterTurns % 4) + 4) % 4
        if turns == 0 { return (src, width, height) }
        let (nw, nh) = turns == 2 ? (width, height) : (height, width)
        var out = [UInt8](repeating: 0, count: src.count)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                for y in 0..<height {
                    for x in 0..<width {
                        // destination of source (x, y) after the counter-clockwise turn
                        let (dx, dy): (Int, Int)
                        switch turns {
                        case 1: (dx, dy) = (y, width - 1 - x)
                        case 2: (dx, dy) = (width - 1 - x, height - 1 - y)
                        default: (dx, dy) = (height - 1 - y, x)
                        }
                        let si = (y * width + x) * bpp, di = (dy * nw + dx) * bpp
                        for c in 0..<bpp { d[di + c] = s[si + c] }
                    }
                }
            }
        }
        return (out, nw, nh)
    }
}

extension RGBAImage {
    /// The pixels of `rect`; parts outside the image are `fill` (so a crop can also pad, like
    /// Pillow's Image.crop, which fills with zeros).
    public func cropped(to rect: PixelRect, fill: RGBA8 = .transparent) -> RGBAImage {
        let bytes = PixelBlocks.crop(pixels, width: width, height: height, bpp: 4, rect: rect, fill: [fill.r, fill.g, fill.b, fill.a])
        return RGBAImage(width: max(0, rect.width), height: max(0, rect.height), pixels: bytes)
    }

    /// This image with borders of `fill` added on each side.
    public func padded(top: Int, left: Int, bottom: Int, right: Int, fill: RGBA8 = .transparent) -> RGBAImage {
        cropped(to: PixelRect(x: -left, y: -top, width: width + left + right, height: height + top + bottom), fill: fill)
    }

    /// This image rotated counter-clockwise by 0, 90, 180 or 270 degrees (Open Images' Rotation
    /// column; Pillow's Image.rotate(deg, expand=True) / transpose(ROTATE_90) direction).
    public func rotated(counterClockwiseDegrees degrees: Int) -> RGBAImage {
        precondition(degrees % 90 == 0, "rotated: only multiples of 90 degrees")
        let (bytes, w, h) = PixelBlocks.rotate(pixels, width: width, height: height, bpp: 4, quarterTurns: degrees / 90)
        return RGBAImage(width: w, height: h, pixels: bytes)
    }
}

extension GrayImage {
    /// The pixels of `rect`; parts outside the image are `fill`.
    public func cropped(to rect: PixelRect, fill: UInt8 = 0) -> GrayImage {
        GrayImage(width: max(0, rect.width), height: max(0, rect.height),
                  pixels: PixelBlocks.crop(pixels, width: width, height: height, bpp: 1, rect: rect, fill: [fill]))
    }

    /// This image with borders of `fill` added on each side.
    public func padded(top: Int, left: Int, bottom: Int, right: Int, fill: UInt8 = 0) -> GrayImage {
        cropped(to: PixelRect(x: -left, y: -top, width: width + left + right, height: height + top + bottom), fill: fill)
    }

    /// This image rotated counter-clockwise by a multiple of 90 degrees (see RGBAImage.rotated).
    public func rotated(counterClockwiseDegrees degrees: Int) -> GrayImage {
        precondition(degrees % 90 == 0, "rotated: only multiples of 90 degrees")
        let (bytes, w, h) = PixelBlocks.rotate(pixels, width: width, height: height, bpp: 1, quarterTurns: degrees / 90)
        return GrayImage(width: w, height: h, pixels: bytes)
    }

    /// Copies `image` into this one at (x, y), clipped (Pillow's paste for "L" images).
    public mutating func paste(_ image: GrayImage, atX x: Int, y: Int) {
        let area = bounds.intersection(PixelRect(x: x, y: y, width: image.width, height: image.height))
        if area.isEmpty { return }
        for row in area.y..<area.maxY {
            for col in area.x..<area.maxX { pixels[row * width + col] = image.pixels[(row - y) * image.width + col - x] }
        }
    }
}
