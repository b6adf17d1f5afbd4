import Tensor
import Foundation
import Support

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of JSON `{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}`,
/// then the raw little-endian tensor bytes, offsets relative to the end of the header.
///
/// Writes F32 only (keys sorted, header padded with spaces to a multiple of 8 as the Python
/// package does); reads F32, F16 and BF16 into float32. Every offset and shape is checked
/// (`SafetensorsFile.index`); `SafetensorsFile` is the lazy, memory-mapped reader.
public enum Safetensors {
    /// A tensor file's contents: tensors by name and the free-form string metadata.
    public struct File {
        /// Tensors by name, converted to float32.
        public var tensors: [String: Tensor]
        /// The `__metadata__` string map (empty when absent).
        public var metadata: [String: String]
    }

    /// The padded JSON header of a float32 file holding `tensors` (sorted keys, data offsets in
    /// that order, padded with spaces to a multiple of 8) and the size of the data after it.
    public static func header(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> (header: [UInt8], dataBytes: Int) {
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(JSONString.quoted($0)):\(JSONString.quoted(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            let end = offset + 4 * t.count
            entries.append("\(JSONString.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        return (header, offset)
    }

    /// Serialises tensors (as F32) and metadata.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> [UInt8] {
        let names = tensors.keys.sorted()
        let (header, offset) = header(tensors, metadata: metadata)
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

    /// Reads a whole file from disk through a memory map (`SafetensorsFile` reads one tensor at a time).
    public static func read(_ path: String) throws -> File {
        let file: MappedFile
        do {
            file = try MappedFile(path: path)
        } catch let error as TensorError {
            throw TensorError(kind: "bad-safetensors", error.message)
        }
        return try withExtendedLifetime(file) { try decode(file.bytes, source: path) }
    }

    /// Parses safetensors bytes; `source` names the file in error messages.
    public static func decode(_ bytes: [UInt8], source: String = "safetensors data") throws -> File {
        try bytes.withUnsafeBytes { try decode($0, source: source) }
    }

    /// Parses safetensors bytes in place (F32, F16 and BF16 tensors; any other dtype is an error).
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String = "safetensors data") throws -> File {
        let (entries, metadata) = try SafetensorsFile.index(bytes, source: source)
        var file = File(tensors: [:], metadata: metadata)
        for (name, entry) in entries {
            guard let dtype = entry.stored, [.float32, .float16, .bfloat16].contains(dtype) else {
                throw TensorError(kind: "bad-safetensors", "\(source): tensor \(name) has dtype \(entry.dtype); only F32, F16 and BF16 are supported")
            }
            file.tensors[name] = SafetensorsFile.convert(bytes, entry, dtype)
        }
        return file
    }
}
