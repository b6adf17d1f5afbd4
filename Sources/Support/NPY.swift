import Foundation

/// NumPy's .npy format, version 1.0 (numpy.lib.format): the pose files Zero-1-to-3 stores
/// beside every view (`{i:03d}.npy`, a 3x4 float matrix) are written and read with this.
public enum NPY {
    /// The element types this project stores.
    public enum ElementType: String, Sendable {
        case float32 = "<f4"
        case float64 = "<f8"
    }

    /// Encodes a C-order float32 array with the given shape.
    public static func encode(float32 values: [Float], shape: [Int]) -> [UInt8] {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the value count")
        var bytes = header(type: .float32, shape: shape)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Encodes a C-order float64 array with the given shape.
    public static func encode(float64 values: [Double], shape: [Int]) -> [UInt8] {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the value count")
        var bytes = header(type: .float64, shape: shape)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Decodes a little-endian float32 or float64 C-order array (format versions 1, 2 and 3),
    /// returning the values widened to Double and the shape.
    public static func decode(_ bytes: [UInt8]) throws -> (values: [Double], shape: [Int]) {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw NPYError(reason: "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else if major == 2 || major == 3 {
            guard bytes.count >= 12 else { throw NPYError(reason: "truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        } else {
            throw NPYError(reason: "unsupported .npy version \(major)")
        }
        guard bytes.count >= headerStart + headerLength else { throw NPYError(reason: "truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header), let type = ElementType(rawValue: descr) else {
            throw NPYError(reason: "unsupported dtype in header \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard field("fortran_order", in: header) == "False" else {
            throw NPYError(reason: "Fortran-order arrays are not supported")
        }
        guard let shapeText = field("shape", in: header) else { throw NPYError(reason: "header has no shape") }
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let dataStart = headerStart + headerLength
        let width = type == .float32 ? 4 : 8
        guard bytes.count - dataStart == count * width else {
            throw NPYError(reason: "data holds \(bytes.count - dataStart) bytes, shape \(shape) needs \(count * width)")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                if type == .float32 {
                    values[i] = Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: dataStart + 4 * i, as: UInt32.self).littleEndian))
                } else {
                    values[i] = Double(bitPattern: raw.loadUnaligned(fromByteOffset: dataStart + 8 * i, as: UInt64.self).littleEndian)
                }
            }
        }
        return (values, shape)
    }

    private static func header(type: ElementType, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(type.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = dict.utf8.count
        bytes.append(UInt8(length & 0xff))
        bytes.append(UInt8(length >> 8))
        bytes.append(contentsOf: dict.utf8)
        return bytes
    }

    private static func field(_ name: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(name)':") else { return nil }
        var rest = header[keyRange.upperBound...].drop(while: { $0 == " " })
        if rest.first == "'" {
            rest = rest.dropFirst()
            return String(rest.prefix(while: { $0 != "'" }))
        }
        if rest.first == "(" {
            return String(rest.dropFirst().prefix(while: { $0 != ")" }))
        }
        return String(rest.prefix(while: { $0 != "," && $0 != "}" })).trimmingCharacters(in: .whitespaces)
    }
}

/// A .npy file this reader cannot accept, with the reason.
public struct NPYError: DescribedError {
    /// Why the file was refused.
    public let reason: String
    public var kind: String { "bad-npy" }
    public var message: String { "invalid .npy file: \(reason)" }
}
