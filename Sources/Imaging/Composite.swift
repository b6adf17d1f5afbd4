extension RGBAImage {
    /// This image alpha-composited over a solid colour (Porter-Duff "over", straight alpha; the
    /// result's alpha is that of over, 255 when `background` is opaque). Used to put cut-outs on
    /// CustomNet's white canvas before JPEG encoding.
    public func composited(over background: RGBA8) -> RGBAImage {
        var out = self
        out.pixels.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < p.count {
                let (r, g, b, a) = over(p[i], p[i + 1], p[i + 2], p[i + 3], background.r, background.g, background.b, background.a)
                p[i] = r; p[i + 1] = g; p[i + 2] = b; p[i + 3] = a
                i += 4
            }
        }
        return out
    }

    /// Composites `top` over this image with its top-left corner at (x, y), clipped to the bounds
    /// (Pillow's Image.alpha_composite(im, dest=(x, y)) with straight alpha, rounded to nearest).
    public mutating func composite(_ top: RGBAImage, atX x: Int, y: Int) {
        let area = bounds.intersection(PixelRect(x: x, y: y, width: top.width, height: top.height))
        if area.isEmpty { return }
        let dstWidth = width
        pixels.withUnsafeMutableBufferPointer { d in
            top.pixels.withUnsafeBufferPointer { s in
                for row in area.y..<area.maxY {
                    for col in area.x..<area.maxX {
                        let di = (row * dstWidth + col) * 4, si = ((row - y) * top.width + (col - x)) * 4
                        let (r, g, b, a) = over(s[si], s[si + 1], s[si + 2], s[si + 3], d[di], d[di + 1], d[di + 2], d[di + 3])
                        d[di] = r; d[di + 1] = g; d[di + 2] = b; d[di + 3] = a
                    }
                }
            }
        }
    }

    /// Copies `image` into this one with its top-left corner at (x, y), replacing pixels
    /// (alpha included), clipped to the bounds (Pillow's Image.paste without a mask).
    public mutating func paste(_ image: RGBAImage, atX x: Int, y: Int) {
        let area = bounds.intersection(PixelRect(x: x, y: y, width: image.width, height: image.height))
        if area.isEmpty { return }
        let dstWidth = width
        pixels.withUnsafeMutableBufferPointer { d in
            image.pixels.withUnsafeBufferPointer { s in
                for row in area.y..<area.maxY {
                    let di = (row * dstWidth + area.x) * 4, si = ((row - y) * image.width + (area.x - x)) * 4
                    (d.baseAddress! + di).update(from: s.baseAddress! + si, count: area.width * 4)
                }
            }
        }
    }

    /// Pastes `image` through `mask` (same size as `image`): each channel becomes
    /// src * m / 255 + dst * (255 - m) / 255, rounded (Pillow's paste(im, box, mask)).
    public mutating func paste(_ image: RGBAImage, atX x: Int, y: Int, mask: GrayImage) {
        precondition(mask.width == image.width && mask.height == image.height, "paste: mask size differs from image")
        let area = bounds.intersection(PixelRect(x: x, y: y, width: image.width, height: image.height))
        if area.isEmpty { return }
        for row in area.y..<area.maxY {
            for col in area.x..<area.maxX {
                let di = (row * width + col) * 4, mi = (row - y) * image.width + (col - x), si = mi * 4
                let m = Int(mask.pixels[mi])
                for c in 0..<4 {
                    let v = Int(image.pixels[si + c]) * m + Int(pixels[di + c]) * (255 - m)
                    pixels[di + c] = UInt8((v + 127) / 255)
                }
            }
        }
    }
}

/// Straight-alpha "over" of one pixel: A = As + Ad(1 - As); C = (Cs As + Cd Ad (1 - As)) / A,
/// in integers scaled by 255 and rounded to nearest.
@inline(__always)
func over(_ sr: UInt8, _ sg: UInt8, _ sb: UInt8, _ sa: UInt8,
          _ dr: UInt8, _ dg: UInt8, _ db: UInt8, _ da: UInt8) -> (UInt8, UInt8, UInt8, UInt8) {
    if sa == 255 { return (sr, sg, sb, 255) }
    if sa == 0 { return (dr, dg, db, da) }
    let ws = Int(sa) * 255
    let wd = Int(da) * (255 - Int(sa))
    let total = ws + wd
    if total == 0 { return (0, 0, 0, 0) }
    let half = total / 2
    let r = (Int(sr) * ws + Int(dr) * wd + half) / total
    let g = (Int(sg) * ws + Int(dg) * wd + half) / total
    let b = (Int(sb) * ws + Int(db) * wd + half) / total
    let a = (total + 127) / 255
    return (UInt8(r), UInt8(g), UInt8(b), UInt8(min(255, a)))
}
