/// Branch-free, trap-free float32 exp for the hot loops (softmax rows, SiLU), written as plain
/// scalar code so LLVM vectorises the calling loops: Cody-Waite range reduction
/// x = n ln2 + r (|r| <= ln2/2), a degree-6 Taylor polynomial, and 2^n built in the exponent
/// bits; n is rounded with the 1.5 * 2^23 "magic number" so no float-to-int conversion (and no
/// Swift overflow trap) is needed. The Cephes `expf` scheme. Relative error < 5e-7 against
/// `expf` over [-87, 88]; inputs are clamped to [-87.3, 88], so 2^n stays finite and normal
/// (exp of very negative numbers is about 1e-38 rather than 0; exp(1000) is about 1.7e38).
@inline(__always)
func fastExp(_ x: Float) -> Float {
    let clamped = Swift.min(Swift.max(x, -87.3), 88.0)
    let magic: Float = 12_582_912  // 1.5 * 2^23
    let t = clamped * 1.44269504088896341 + magic
    let n = t - magic
    let r = (clamped - n * 0.693359375) - n * -2.12194440e-4
    var p: Float = 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let exponent = (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
    return p * Float(bitPattern: exponent)
}

/// The maximum of p[0..<n] (eight running maxima, so the loop vectorises).
@inline(__always)
func rowMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        m.replace(with: v, where: v .> m)
        i += 8
    }
    var s = m.max()
    while i < n { s = Swift.max(s, p[i]); i += 1 }
    return s
}

/// The sum of p[0..<n] (eight running sums, so the loop vectorises).
@inline(__always)
func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
}

/// p[i] = exp(p[i] - shift) for i in 0..<n; returns the sum of the results.
@inline(__always)
func expShiftedInPlace(_ p: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
    for i in 0..<n { p[i] = fastExp(p[i] - shift) }
    return rowSum(p, n)
}
