/// Vectorised, fixed-order reductions for the normalisation ops: eight float lanes accumulate
/// within blocks of 256 elements, each block's lane total is added in double precision, so the
/// loops vectorise, long rows keep double-precision accuracy, and the order (hence every bit of
/// the result) depends only on n.
enum Reduce {
    private static let block = 256

    /// The sum of a[0..<n].
    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Double {
        blocked(n) { i in load(a, i) } tail: { i in a[i] }
    }

    /// The sum of (a[i] - shift)^2 over 0..<n.
    @inline(__always)
    static func centeredSquares(_ a: UnsafePointer<Float>, _ n: Int, shift: Float) -> Double {
        let s = SIMD8<Float>(repeating: shift)
        return blocked(n) { i in let v = load(a, i) - s; return v * v } tail: { i in (a[i] - shift) * (a[i] - shift) }
    }

    /// The sum of g[i] * (x[i] - shift) over 0..<n.
    @inline(__always)
    static func centeredDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, shift: Float) -> Double {
        let s = SIMD8<Float>(repeating: shift)
        return blocked(n) { i in load(g, i) * (load(x, i) - s) } tail: { i in g[i] * (x[i] - shift) }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Sums `lanes(i)` (8 elements from i) over whole vectors and `tail(i)` over the rest.
    @inline(__always)
    private static func blocked(_ n: Int, _ lanes: (Int) -> SIMD8<Float>, tail: (Int) -> Float) -> Double {
        var total = 0.0
        var i = 0
        let vectorEnd = n & ~7
        while i < vectorEnd {
            let end = min(vectorEnd, i + block)
            var acc = SIMD8<Float>(repeating: 0)
            while i < end { acc += lanes(i); i += 8 }
            total += Double(acc.sum())
        }
        var rest: Float = 0
        while i < n { rest += tail(i); i += 1 }
        return total + Double(rest)
    }
}
