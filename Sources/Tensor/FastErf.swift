/// Branch-free float32 erf for GELU's hot loops, written as plain scalar code so LLVM vectorises
/// the calling loops: Abramowitz & Stegun 7.1.26, erf|x| = 1 - (a1 t + ... + a5 t^5) exp(-x^2)
/// with t = 1 / (1 + p|x|), the formula PyTorch's vectorised `Vectorized<float>::erf` uses for
/// `F.gelu` on the CPU. Absolute error < 5e-7 against `erff` (1.5e-7 in exact arithmetic).
@inline(__always)
func fastErf(_ x: Float) -> Float {
    fastErf(x, gaussian: fastExp(-x * x))
}

/// `fastErf(x)` given exp(-x^2) (`gaussian`), for callers that also need that exponential.
@inline(__always)
func fastErf(_ x: Float, gaussian: Float) -> Float {
    let a = Swift.abs(x)
    let t = 1 / (0.3275911 * a + 1)
    var r: Float = 1.061405429
    r = r * t - 1.453152027
    r = r * t + 1.421413741
    r = r * t - 0.284496736
    r = r * t + 0.254829592
    let y = 1 - r * t * gaussian
    return Float(bitPattern: (y.bitPattern & 0x7FFF_FFFF) | (x.bitPattern & 0x8000_0000))
}
