import Assets

/// Texture lookups of the rasteriser (glTF 2.0 sampler wrap modes, bilinear filtering).
extension ViewSetup {
    /// Texel index `i` of `n` wrapped by the sampler's glTF wrap mode.
    @inline(__always)
    func wrap(_ i: Int, _ n: Int, _ mode: TextureWrap) -> Int {
        if i >= 0 && i < n { return i }
        switch mode {
        case .clampToEdge: return min(max(i, 0), n - 1)
        case .repeatWrap: let m = i % n; return m < 0 ? m + n : m
        case .mirroredRepeat:
            var m = i % (2 * n); if m < 0 { m += 2 * n }
            return m < n ? m : 2 * n - 1 - m
        }
    }

    /// Bilinear sample in linear light (texel centres at half-integers).
    @inline(__always)
    func sample(_ tex: LinearTexture, _ u: Float, _ v: Float, _ texels: UnsafeBufferPointer<Float>) -> Fragment {
        guard u.isFinite, v.isFinite else { return Fragment(r: 1, g: 1, b: 1, a: 1) }
        let x = u * Float(tex.width) - 0.5, y = v * Float(tex.height) - 0.5
        let cxv = max(-1e7, min(1e7, x)), cyv = max(-1e7, min(1e7, y))
        var ix = Int(cxv), iy = Int(cyv)  // truncation, then floor for negatives
        if Float(ix) > cxv { ix -= 1 }
        if Float(iy) > cyv { iy -= 1 }
        let bigX = Float(ix), bigY = Float(iy)
        let tx = cxv - bigX, ty = cyv - bigY
        let x0 = wrap(Int(bigX), tex.width, tex.wrapS), x1 = wrap(Int(bigX) + 1, tex.width, tex.wrapS)
        let y0 = wrap(Int(bigY), tex.height, tex.wrapT), y1 = wrap(Int(bigY) + 1, tex.height, tex.wrapT)
        do {
            let d = texels
            let o = tex.offset
            let i00 = o + (y0 * tex.width + x0) * 4, i10 = o + (y0 * tex.width + x1) * 4
            let i01 = o + (y1 * tex.width + x0) * 4, i11 = o + (y1 * tex.width + x1) * 4
            let w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty
            return Fragment(r: d[i00] * w00 + d[i10] * w10 + d[i01] * w01 + d[i11] * w11,
                            g: d[i00 + 1] * w00 + d[i10 + 1] * w10 + d[i01 + 1] * w01 + d[i11 + 1] * w11,
                            b: d[i00 + 2] * w00 + d[i10 + 2] * w10 + d[i01 + 2] * w01 + d[i11 + 2] * w11,
                            a: d[i00 + 3] * w00 + d[i10 + 3] * w10 + d[i01 + 3] * w01 + d[i11 + 3] * w11)
        }
    }
}
