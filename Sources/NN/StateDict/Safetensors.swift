import Tensor
import Foundation
import Support

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of JSON `{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}`,
/// then the raw little-endian tensor bytes, offsets relative to the end of the header.
///
/// Writes F32 only (keys sorted, header padded with spaces to a multiple of 8 as the Python
/// package does); reads F32, F16 and BF16 into float32. Every offset and shape is checked.
public enum Safetensors {
    /// A tensor file's contents: tensors by name and the free-form string metadata.
    public struct File {
        /// Tensors by name, converted to float32.
        public var tensors: [String: Tensor]
        /// The `__metadata__` string map (empty when absent).
        public var metadata: [String: String]
    }

    /// Serialises tensors (as F32) and metadata.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> [UInt8] {
        let names = tensors.keys.sorted()
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(JSONString.quoted($0)):\(JSONString.quoted(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let end = offset + 4 * t.count
            entries.append("\(JSONString.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for name in names {
            tensors[name]!.data.withUnsafeBufferPointer { buffer in
                for v in buffer { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            }
        }
        return bytes
    }

    /// Writes a file atomically (temporary name, fsync, rename).
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }

    /// Reads a file from disk (memory-mapped, so a multi-gigabyte checkpoint is not copied twice).
    public static func read(_ path: String) throws -> File {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw TensorError(kind: "bad-safetensors", "cannot read safetensors file \(path): \(error.localizedDescription)")
        }
        return try data.withUnsafeBytes { try decode($0, source: path) }
    }

    /// Parses safetensors bytes; `source` names the file in error messages.
    public static func decode(_ bytes: [UInt8], source: String = "safetensors data") throws -> File {
        try bytes.withUnsafeBytes { try decode($0, source: source) }
    }

    /// Parses safetensors bytes in place.
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String = "safetensors data") throws -> File {
        func fail(_ why: String) -> TensorError { TensorError(kind: "bad-safetensors", "\(source): \(why)") }
        guard bytes.count >= 8 else { throw fail("shorter than the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8), n <= 100_000_000 else { throw fail("header length \(n) exceeds the file (\(bytes.count) bytes)") }
        let headerEnd = 8 + Int(n)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
        } catch {
            throw fail("header is not valid JSON (\(error.localizedDescription))")
        }
        guard let header = json as? [String: Any] else { throw fail("header is not a JSON object") }
        var file = File(tensors: [:], metadata: [:])
        let dataLength = bytes.count - headerEnd
        for (name, value) in header {
            if name == "__metadata__" {
                guard let meta = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in meta {
                    guard let s = v as? String else { throw fail("metadata value for \(k) is not a string") }
                    file.metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = (info["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (info["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2 else {
                throw fail("entry \(name) lacks dtype, shape or data_offsets")
            }
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F16", "BF16": width = 2
            default: throw fail("tensor \(name) has dtype \(dtype); only F32, F16 and BF16 are supported")
            }
            let count = shape.reduce(1, *)
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] <= dataLength,
                  offsets[1] - offsets[0] == count * width else {
                throw fail("tensor \(name): offsets \(offsets) do not hold shape \(shape) of \(dtype) within \(dataLength) data bytes")
            }
            let base = headerEnd + offsets[0]
            let values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
                switch dtype {
                case "F32":
                    for i in 0..<count {
                        out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)))
                    }
                case "BF16":
                    for i in 0..<count {
                        out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 2 * i, as: UInt16.self))) << 16)
                    }
                default:
                    for i in 0..<count {
                        out[i] = halfToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 2 * i, as: UInt16.self)))
                    }
                }
                initialized = count
            }
            file.tensors[name] = Tensor(shape: shape, data: values)
        }
        return file
    }

    /// IEEE 754 binary16 to float32 (normals, subnormals, infinities, NaN).
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
