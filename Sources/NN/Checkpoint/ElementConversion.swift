/// Reading stored little-endian elements as float32: F32 copied, F16 (IEEE 754 binary16) and BF16
/// (the upper half of a binary32) widened exactly, F64 rounded to nearest, integers and bools
/// converted as `Float(value)` (exact up to 2^24), as PyTorch's `Tensor.float()` does.
enum ElementConversion {
    /// Element `index` of `base` read as float32.
    @inline(__always)
    static func load(_ base: UnsafeRawPointer, _ index: Int, _ dtype: StoredDType) -> Float {
        switch dtype {
        case .float32: Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
        case .float16: halfToFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
        case .bfloat16: Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))) << 16)
        case .float64: Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))))
        case .int64: Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * index, as: Int64.self)))
        case .int32: Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * index, as: Int32.self)))
        case .int16: Float(Int16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * index, as: Int16.self)))
        case .int8: Float(base.load(fromByteOffset: index, as: Int8.self))
        case .uint8: Float(base.load(fromByteOffset: index, as: UInt8.self))
        case .bool: base.load(fromByteOffset: index, as: UInt8.self) != 0 ? 1 : 0
        }
    }

    /// Converts `count` consecutive elements starting at `base` into `out`.
    static func convert(_ base: UnsafeRawPointer, count: Int, dtype: StoredDType, into out: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .float32:
            #if _endian(little)
            UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: 4 * count)
            #else
            for i in 0..<count { out[i] = load(base, i, .float32) }
            #endif
        case .float16:
            for i in 0..<count { out[i] = load(base, i, .float16) }
        case .bfloat16:
            for i in 0..<count { out[i] = load(base, i, .bfloat16) }
        case .float64:
            for i in 0..<count { out[i] = load(base, i, .float64) }
        default:
            for i in 0..<count { out[i] = load(base, i, dtype) }
        }
    }

    /// IEEE 754 binary16 to float32 (normals, subnormals, infinities, NaN), exact.
    @inline(__always)
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1f)
        let mantissa = UInt32(h & 0x3ff)
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
