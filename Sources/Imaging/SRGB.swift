/// sRGB <-> linear-light conversion by tables (IEC 61966-2-1 transfer function, as used by
/// Blender and glTF for baseColor textures): decode is an exact 256-entry table, encode a
/// 16,384-entry table whose rounding error stays below 0.1 of an 8-bit step, so
/// `encode(toLinear[v]) == v` for every byte.
public enum SRGB {
    /// Exact sRGB -> linear for one 0...1 value.
    public static func linear(fromSRGB s: Float) -> Float {
        s <= 0.04045 ? s / 12.92 : Float(pow(Double((s + 0.055) / 1.055), 2.4))
    }

    /// Exact linear -> sRGB for one 0...1 value.
    public static func srgb(fromLinear l: Float) -> Float {
        l <= 0.0031308 ? l * 12.92 : Float(1.055 * pow(Double(l), 1 / 2.4) - 0.055)
    }

    /// toLinear[byte] = linear light of the sRGB byte, 0...1.
    public static let toLinear: [Float] = (0..<256).map { linear(fromSRGB: Float($0) / 255) }

    /// unitScale[byte] = byte / 255 (the non-colour-managed table).
    public static let unitScale: [Float] = (0..<256).map { Float($0) / 255 }

    static let encodeSteps = 16383
    static let encodeTable: [UInt8] = (0...encodeSteps).map { i in
        let s = srgb(fromLinear: Float(i) / Float(encodeSteps))
        return UInt8(max(0, min(255, (s * 255).rounded())))
    }

    /// Linear light 0...1 -> sRGB byte (clamped; NaN -> 0).
    @inline(__always)
    public static func encode(_ linear: Float) -> UInt8 {
        let scaled = linear * Float(encodeSteps) + 0.5
        if !(scaled > 0) { return 0 }
        if scaled >= Float(encodeSteps) { return 255 }
        return encodeTable[Int(scaled)]
    }

    /// sRGB byte -> linear light 0...1.
    @inline(__always)
    public static func decode(_ byte: UInt8) -> Float { toLinear[Int(byte)] }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
