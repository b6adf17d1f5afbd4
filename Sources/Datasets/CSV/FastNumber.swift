#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number parsing straight from field bytes, without making a String.
///
/// Decimal numbers of at most 18 significant digits and no exponent (every Open Images
/// coordinate, "0.012500") take Clinger's exact fast path: the digits as an integer divided by
/// an exact power of ten, which IEEE division rounds correctly. Anything else (exponents, "nan",
/// "inf", longer numbers) falls back to `strtod`.
public enum FastNumber {
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The value of `bytes` as a Double, nil when empty or not entirely a number.
    @inline(__always)
    public static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return nil }
        var i = 0
        var negative = false
        if base[0] == 0x2D { negative = true; i = 1 } else if base[0] == 0x2B { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var seenPoint = false
        var fast = true
        while i < count {
            let c = base[i]
            if c >= 0x30 && c <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(c &- 0x30)
                digits += 1
                if seenPoint { fraction += 1 }
            } else if c == 0x2E && !seenPoint {
                seenPoint = true
            } else {
                fast = false
                break
            }
            i += 1
        }
        if fast {
            guard digits > 0 else { return nil }
            if digits <= 18 && fraction <= 22 {
                let value = Double(mantissa) / powersOfTen[fraction]
                return negative ? -value : value
            }
        }
        return slowDouble(bytes)
    }

    private static func slowDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard bytes.count < 128 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { text in
            for k in 0..<bytes.count { text[k] = CChar(bitPattern: bytes[k]) }
            text[bytes.count] = 0
            var endPointer: UnsafeMutablePointer<CChar>?
            let value = strtod(text.baseAddress!, &endPointer)
            guard let endPointer, endPointer == text.baseAddress! + bytes.count else { return nil }
            return value
        }
    }

    /// The value of `bytes` as an Int (optional sign, decimal digits), nil otherwise.
    @inline(__always)
    public static func int(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        guard count > 0, count <= 19, let base = bytes.baseAddress else { return nil }
        var i = 0
        var negative = false
        if base[0] == 0x2D { negative = true; i = 1 } else if base[0] == 0x2B { i = 1 }
        guard i < count else { return nil }
        var value = 0
        while i < count {
            let c = base[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            // 19 digits can exceed Int.max: overflow is "not an integer", never a trap.
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = shifted.addingReportingOverflow(Int(c - 0x30))
            guard !overflowA, !overflowB else { return nil }
            value = next
            i += 1
        }
        return negative ? -value : value
    }

    /// Packs a 16-hex-digit identifier (an Open Images ImageID) into 64 bits; nil when `bytes`
    /// is not exactly 16 hexadecimal digits.
    @inline(__always)
    public static func hex64(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard bytes.count == 16, let base = bytes.baseAddress else { return nil }
        var value: UInt64 = 0
        for i in 0..<16 {
            let c = base[i]
            let nibble: UInt8
            if c >= 0x30 && c <= 0x39 { nibble = c - 0x30 }
            else if c >= 0x61 && c <= 0x66 { nibble = c - 0x61 + 10 }
            else if c >= 0x41 && c <= 0x46 { nibble = c - 0x41 + 10 }
            else { return nil }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }
}
