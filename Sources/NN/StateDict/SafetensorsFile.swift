import Foundation
import Tensor

/// A safetensors file (huggingface/safetensors format spec: u64 little-endian header length N, an
/// N-byte JSON header `{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__"}`,
/// then the data, offsets relative to its start) as a lazy `TensorSource`: the file is
/// memory-mapped, the header indexed once and each tensor converted to float32 only when read.
/// Floating tensors (F32, F16, BF16 exactly; F64 rounded) are the keys; integer, bool and unknown
/// dtypes (transformers' `position_ids`) are listed in `skippedKeys`.
public final class SafetensorsFile: TensorSource, Sendable {
    /// One header entry, checked against the data section.
    struct Entry: Sendable {
        var dtype: String
        var stored: StoredDType?
        var shape: [Int]
        var count: Int
        /// Absolute byte range in the file.
        var bytes: Range<Int>
    }

    /// The file path.
    public let path: String
    /// The `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    /// Tensors left out of `keys` because their dtype is not floating point (or unknown).
    public let skippedKeys: [String]
    private let file: MappedFile
    private let entries: [String: Entry]
    private let sortedKeys: [String]

    /// Maps and indexes `path`; throws `bad-safetensors` naming the first problem.
    public init(path: String) throws {
        self.path = path
        do {
            file = try MappedFile(path: path)
        } catch let error as TensorError {
            throw TensorError(kind: "bad-safetensors", error.message)
        }
        let (entries, metadata) = try Self.index(file.bytes, source: path)
        self.metadata = metadata
        self.entries = entries
        sortedKeys = entries.filter { $0.value.stored?.isFloatingPoint == true }.keys.sorted()
        skippedKeys = entries.filter { $0.value.stored?.isFloatingPoint != true }.keys.sorted()
    }

    public var keys: [String] { sortedKeys }

    public func shape(of key: String) -> [Int]? {
        guard let entry = entries[key], entry.stored?.isFloatingPoint == true else { return nil }
        return entry.shape
    }

    public func tensor(_ key: String) throws -> Tensor {
        guard let entry = entries[key], let dtype = entry.stored, dtype.isFloatingPoint else {
            throw TensorError(kind: "missing-key", "no tensor named \(key)")
        }
        let values = withExtendedLifetime(file) { Self.convert(file.bytes, entry, dtype) }
        file.release(entry.bytes)
        return values
    }

    /// The stored dtype string of any entry, skipped ones included ("F32", "I64", ...).
    public func dtype(of key: String) -> String? { entries[key]?.dtype }

    /// Converts one checked entry of `bytes` to float32.
    static func convert(_ bytes: UnsafeRawBufferPointer, _ entry: Entry, _ dtype: StoredDType) -> Tensor {
        let data = [Float](unsafeUninitializedCapacity: entry.count) { out, initialized in
            if entry.count > 0 {
                ElementConversion.convert(bytes.baseAddress! + entry.bytes.lowerBound, count: entry.count, dtype: dtype, into: out.baseAddress!)
            }
            initialized = entry.count
        }
        return Tensor(shape: entry.shape, data: data)
    }

    /// Parses and checks the header of safetensors `bytes`: every offset, extent and size is
    /// overflow-checked and must lie inside the data section.
    static func index(_ bytes: UnsafeRawBufferPointer, source: String) throws -> ([String: Entry], [String: String]) {
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
        func integers(_ value: Any?) -> [Int]? {
            guard let list = value as? [Any] else { return nil }
            var out: [Int] = []
            for item in list {
                guard let number = item as? NSNumber else { return nil }
                let d = number.doubleValue
                guard d >= 0, d < 0x1p53, d.rounded() == d else { return nil }
                out.append(Int(d))
            }
            return out
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        let dataLength = bytes.count - headerEnd
        for (name, value) in header {
            if name == "__metadata__" {
                guard let meta = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in meta {
                    guard let s = v as? String else { throw fail("metadata value for \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = integers(info["shape"]), let offsets = integers(info["data_offsets"]), offsets.count == 2 else {
                throw fail("entry \(name) lacks dtype, shape or data_offsets (non-negative integers)")
            }
            let stored = StoredDType(safetensors: dtype)
            guard offsets[0] <= offsets[1], offsets[1] <= dataLength, let count = Checked.product(shape) else {
                throw fail("tensor \(name): offsets \(offsets) and shape \(shape) do not fit \(dataLength) data bytes")
            }
            if let stored {
                guard let size = Checked.multiply(count, stored.size), offsets[1] - offsets[0] == size else {
                    throw fail("tensor \(name): offsets \(offsets) do not hold shape \(shape) of \(dtype) within \(dataLength) data bytes")
                }
            }
            entries[name] = Entry(dtype: dtype, stored: stored, shape: shape, count: count,
                                  bytes: (headerEnd + offsets[0])..<(headerEnd + offsets[1]))
        }
        return (entries, metadata)
    }
}
