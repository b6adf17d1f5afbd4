#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Natural logarithm through the C library, so `Support` needs no Foundation for its math.
@inlinable func _log(_ x: Double) -> Double { log(x) }

/// Cosine through the C library.
@inlinable func _cos(_ x: Double) -> Double { cos(x) }
