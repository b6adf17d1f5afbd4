// Follows PyTorch `torch/serialization.py` `_legacy_save` / `_legacy_load`: the format `torch.save`
// wrote before 1.6 (and with `_use_new_zipfile_serialization=False`), in which lpips ships its
// `weights/v0.1/*.pth` heads and torchvision its early ImageNet weights. The file is five pickles
// back to back (magic number, protocol version, sys_info, the object with persistent storage ids,
// the sorted storage keys), then per storage key: its element count as a little-endian int64 and
// the raw little-endian elements. The object pickle is decoded by `LegacyStateDictReader` (only
// OrderedDict, _rebuild_tensor_v2 and storage globals are accepted), the others are skipped or read as data.
import Foundation
import Support
import Tensor
import NN

/// A legacy-format PyTorch file as a `TensorSource` over its state dict (the `state_dict` entry
/// when present, else the top-level dict), served as float32.
public final class LegacyTorchFile: TensorSource, @unchecked Sendable {
    /// The file's path.
    public let path: String
    private let bytes: [UInt8]
    private let references: [String: LegacyTensor]
    private let storages: [String: Range<Int>]
    private let sortedKeys: [String]

    /// PyTorch's legacy magic number, 0x1950a86a20f9469cfc6c, as pickle LONG1 bytes.
    static let magic: [UInt8] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]

    /// Whether `bytes` start like a legacy file (a protocol-2 pickle of the magic number).
    public static func isLegacy(_ bytes: [UInt8]) -> Bool {
        bytes.count > 14 && bytes[0] == 0x80 && bytes[1] <= 5 && bytes[2] == 0x8a && bytes[3] == 10
            && Array(bytes[4..<14]) == magic
    }

    /// Reads `path`.
    public init(path: String) throws {
        self.path = path
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        guard Self.isLegacy(data) else {
            throw EvaluationError(.badWeights, "\(path) is not a legacy torch.save file (no magic number)")
        }
        bytes = data
        var offset = 0
        var pickles: [Range<Int>] = []
        for _ in 0..<5 {
            let end = try PickleExtent.end(of: data, from: offset, source: path)
            pickles.append(offset..<end)
            offset = end
        }
        let protocolVersion = try RestrictedUnpickler.load(Array(data[pickles[1]]), source: path).int
        guard protocolVersion == 1001 else {
            throw EvaluationError(.badWeights, "\(path): legacy protocol version \(protocolVersion.map(String.init) ?? "?"), expected 1001")
        }
        let tensors = try LegacyStateDictReader.read(Array(data[pickles[3]]), source: path)
        var references: [String: LegacyTensor] = [:]
        var sizes: [String: Int] = [:]
        for (key, tensor) in tensors {
            sizes[tensor.storageKey] = tensor.dtype.size
            if tensor.dtype.isFloatingPoint { references[key] = tensor }
        }
        guard let keys = try RestrictedUnpickler.load(Array(data[pickles[4]]), source: path).elements?.compactMap(\.string) else {
            throw EvaluationError(.badWeights, "\(path): the storage key list is not a list of strings")
        }
        var storages: [String: Range<Int>] = [:]
        for key in keys {
            guard offset + 8 <= data.count else { throw EvaluationError(.badWeights, "\(path) ends inside storage \(key)") }
            var count = 0
            for i in 0..<8 { count |= Int(data[offset + i]) << (8 * i) }
            offset += 8
            // A storage no state-dict tensor uses has an unknown element size: the storages after it
            // cannot be located, so reading stops there (tensors in them then report a missing storage).
            guard let elementSize = sizes[key] else { break }
            let end = offset + count * elementSize
            guard count >= 0, end <= data.count else { throw EvaluationError(.badWeights, "\(path): storage \(key) runs past the end") }
            storages[key] = offset..<end
            offset = end
        }
        self.references = references
        self.storages = storages
        sortedKeys = references.keys.sorted()
    }

    public var keys: [String] { sortedKeys }

    public func shape(of key: String) -> [Int]? { references[key]?.shape }

    public func tensor(_ key: String) throws -> Tensor {
        guard let r = references[key], let range = storages[r.storageKey] else {
            throw EvaluationError(.badWeights, "\(path) has no tensor \(key)")
        }
        let count = r.shape.reduce(1, *)
        var maxIndex = r.storageOffset
        for (extent, stride) in zip(r.shape, r.strides) where extent > 0 { maxIndex += (extent - 1) * stride }
        guard count == 0 || (maxIndex < range.count / r.dtype.size && r.strides.allSatisfy { $0 >= 0 }) else {
            throw EvaluationError(.badWeights, "\(path): tensor \(key) reaches past its storage")
        }
        var out = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: r.shape.count)
        for i in 0..<count {
            var element = r.storageOffset
            for d in 0..<index.count { element += index[d] * r.strides[d] }
            out[i] = try value(at: range.lowerBound + element * r.dtype.size, dtype: r.dtype, key: key)
            var d = index.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < r.shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return Tensor(shape: r.shape, data: out)
    }

    private func value(at offset: Int, dtype: StoredDType, key: String) throws -> Float {
        func bits(_ n: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
            return v
        }
        switch dtype {
        case .float32: return Float(bitPattern: UInt32(bits(4)))
        case .float64: return Float(Double(bitPattern: bits(8)))
        case .float16: return Float(Float16(bitPattern: UInt16(bits(2))))
        case .bfloat16: return Float(bitPattern: UInt32(bits(2)) << 16)
        default: throw EvaluationError(.badWeights, "\(path): tensor \(key) is \(dtype), not floating point")
        }
    }
}

/// Finds where one pickle ends (just after its STOP opcode) by walking the opcodes of protocols
/// 0-5 and their argument lengths (Python `pickletools`), without interpreting anything.
enum PickleExtent {
    static func end(of data: [UInt8], from start: Int, source: String) throws -> Int {
        var i = start
        while true {
            guard i < data.count else { throw EvaluationError(.badWeights, "\(source): a pickle ends early at byte \(i)") }
            let op = data[i]
            do { i = try endOfOneOpcode(data, i) } catch { throw EvaluationError(.badWeights, "\(source): \(error)") }
            if op == 0x2e { return i }
        }
    }

    /// The offset just after the opcode (and its argument) at `start`.
    static func endOfOneOpcode(_ data: [UInt8], _ start: Int) throws -> Int {
        let source = "pickle"
        var i = start
        func need(_ n: Int) throws {
            guard i + n <= data.count else { throw EvaluationError(.badWeights, "\(source): a pickle ends early at byte \(i)") }
        }
        func little(_ n: Int) throws -> Int {
            try need(n)
            var v = 0
            for k in 0..<n { v |= Int(data[i + k]) << (8 * k) }
            i += n
            return v
        }
        func line() throws {
            while true {
                try need(1)
                i += 1
                if data[i - 1] == 0x0a { return }
            }
        }
        while true {
            try need(1)
            let op = data[i]
            i += 1
            switch op {
            case 0x2e: break                                           // STOP
            case 0x80, 0x4b, 0x71, 0x68: i += 1                        // PROTO, BININT1, BINPUT, BINGET
            case 0x4d: i += 2                                          // BININT2
            case 0x4a, 0x72, 0x6a: i += 4                              // BININT, LONG_BINPUT, LONG_BINGET
            case 0x47: i += 8                                          // BINFLOAT
            case 0x95: i += 8                                          // FRAME
            case 0x8a, 0x55, 0x43, 0x8c: i += try little(1)            // LONG1, SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
            case 0x8b, 0x54, 0x58, 0x42: i += try little(4)            // LONG4, BINSTRING, BINUNICODE, BINBYTES
            case 0x8d, 0x8e, 0x96: i += try little(8)                  // BINUNICODE8, BINBYTES8, BYTEARRAY8
            case 0x63: try line(); try line()                          // GLOBAL module\nname\n
            case 0x49, 0x4c, 0x46, 0x53, 0x56, 0x50, 0x70, 0x67: try line() // INT LONG FLOAT STRING UNICODE PERSID PUT GET
            case 0x28, 0x29, 0x5d, 0x7d, 0x74, 0x85, 0x86, 0x87, 0x61, 0x65, 0x73, 0x75, 0x52, 0x62, 0x51,
                 0x4e, 0x88, 0x89, 0x81, 0x92, 0x93, 0x94, 0x8f, 0x90, 0x91, 0x30, 0x31, 0x32, 0x6c, 0x64, 0x97, 0x98, 0x69, 0x6f:
                // MARK EMPTY_TUPLE EMPTY_LIST EMPTY_DICT TUPLE TUPLE1-3 APPEND APPENDS SETITEM SETITEMS REDUCE BUILD
                // BINPERSID NONE NEWTRUE NEWFALSE NEWOBJ NEWOBJ_EX STACK_GLOBAL MEMOIZE EMPTY_SET ADDITEMS FROZENSET
                // POP DUP POP_MARK LIST DICT NEXT_BUFFER READONLY_BUFFER INST(line args handled below) OBJ
                if op == 0x69 { try line(); try line() }
            default:
                throw EvaluationError(.badWeights, "\(source): unknown pickle opcode 0x\(String(op, radix: 16)) at byte \(i - 1)")
            }
            try need(0)
            return i
        }
    }
}

/// A tensor of a legacy file: where its elements are and how they are laid out.
struct LegacyTensor {
    var storageKey: String, dtype: StoredDType, storageOffset: Int, shape: [Int], strides: [Int]
}

/// A restricted interpreter for the object pickle of a legacy `torch.save` of a state dict
/// (Python `pickle` protocol 2 as `torch/serialization.py` `_legacy_save` writes it): containers,
/// scalars, strings, `collections.OrderedDict` (empty or from [key, value] pairs),
/// `torch._utils._rebuild_tensor_v2` and the `torch.*Storage` persistent ids
/// `("storage", type, key, location, numel, view_metadata)`. Any other global is refused; nothing
/// is executed. Returns the string-keyed tensors of the state dict (its `state_dict` entry when the
/// top level has one).
enum LegacyStateDictReader {
    final class Box { var items: [Value] = []; var pairs: [(Value, Value)] = []; init() {} }
    enum Value {
        case none, bool(Bool), int(Int), float(Double), string(String), mark
        case list(Box), dict(Box), tuple([Value]), global(String), storage(key: String, dtype: StoredDType), tensor(LegacyTensor)
    }

    static func read(_ data: [UInt8], source: String) throws -> [(String, LegacyTensor)] {
        func fail(_ why: String) -> Error { EvaluationError(.badWeights, "\(source): \(why)") }
        var stack: [Value] = [], memo: [Int: Value] = [:], i = 0
        func pop() throws -> Value { guard let v = stack.popLast() else { throw fail("pickle stack underflow") }; return v }
        func popMark() throws -> [Value] {
            guard let m = stack.lastIndex(where: { if case .mark = $0 { return true }; return false }) else { throw fail("pickle MARK missing") }
            let items = Array(stack[(m + 1)...]); stack.removeSubrange(m...); return items
        }
        func little(_ n: Int) throws -> Int {
            guard i + n <= data.count else { throw fail("pickle ends early") }
            var v = 0; for k in 0..<n { v |= Int(data[i + k]) << (8 * k) }; i += n; return v
        }
        func text(_ n: Int) throws -> String {
            guard n >= 0, i + n <= data.count else { throw fail("pickle ends early") }
            defer { i += n }
            return String(decoding: data[i..<(i + n)], as: UTF8.self)
        }
        func line() throws -> String {
            guard let end = data[i...].firstIndex(of: 0x0a) else { throw fail("pickle ends early") }
            defer { i = end + 1 }
            return String(decoding: data[i..<end], as: UTF8.self)
        }
        func ints(_ v: Value) -> [Int]? {
            guard case .tuple(let items) = v else { return nil }
            return items.compactMap { if case .int(let x) = $0 { return x }; return nil }
        }
        while i < data.count {
            let op = data[i]; i += 1
            switch op {
            case 0x80: i += 1
            case 0x2e: // STOP
                var top = try pop()
                if case .dict(let d) = top, let nested = d.pairs.first(where: { if case .string("state_dict") = $0.0 { return true }; return false }) {
                    top = nested.1
                }
                guard case .dict(let d) = top else { throw fail("the pickle holds no dict of tensors") }
                return d.pairs.compactMap { k, v in
                    if case .string(let key) = k, case .tensor(let t) = v { return (key, t) }
                    return nil
                }
            case 0x63: // GLOBAL
                let name = try line() + "." + line()
                let allowed = name == "collections.OrderedDict" || name == "torch._utils._rebuild_tensor_v2"
                    || (name.hasPrefix("torch.") && name.hasSuffix("Storage"))
                guard allowed else { throw fail("pickle global \(name) is not allowed") }
                stack.append(.global(name))
            case 0x71: memo[try little(1)] = stack.last
            case 0x72: memo[try little(4)] = stack.last
            case 0x94: memo[memo.count] = stack.last
            case 0x68, 0x6a:
                guard let v = memo[try little(op == 0x68 ? 1 : 4)] else { throw fail("pickle memo entry missing") }
                stack.append(v)
            case 0x5d: stack.append(.list(Box()))
            case 0x7d: stack.append(.dict(Box()))
            case 0x29: stack.append(.tuple([]))
            case 0x28: stack.append(.mark)
            case 0x4e: stack.append(.none)
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x4b: stack.append(.int(try little(1)))
            case 0x4d: stack.append(.int(try little(2)))
            case 0x4a: stack.append(.int(Int(Int32(truncatingIfNeeded: try little(4)))))
            case 0x8a: // LONG1
                let n = try little(1)
                guard n <= 8 else { i += n; stack.append(.int(Int.max)); break }
                var v = n == 0 ? 0 : try little(n)
                if n > 0 && n < 8 && v & (1 << (8 * n - 1)) != 0 { v -= 1 << (8 * n) }
                stack.append(.int(v))
            case 0x47:
                var bits: UInt64 = 0
                guard i + 8 <= data.count else { throw fail("pickle ends early") }
                for k in 0..<8 { bits = bits << 8 | UInt64(data[i + k]) }
                i += 8
                stack.append(.float(Double(bitPattern: bits)))
            case 0x55, 0x8c: stack.append(.string(try text(try little(1))))
            case 0x54, 0x58: stack.append(.string(try text(try little(4))))
            case 0x74: stack.append(.tuple(try popMark()))
            case 0x85: stack.append(.tuple([try pop()]))
            case 0x86: let b = try pop(), a = try pop(); stack.append(.tuple([a, b]))
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, c]))
            case 0x61, 0x65: // APPEND, APPENDS
                let items = op == 0x61 ? [try pop()] : try popMark()
                guard case .list(let box) = stack.last else { throw fail("APPEND to a non-list") }
                box.items += items
            case 0x73, 0x75: // SETITEM, SETITEMS
                let items: [Value]
                if op == 0x73 { let v = try pop(), k = try pop(); items = [k, v] } else { items = try popMark() }
                guard case .dict(let box) = stack.last, items.count % 2 == 0 else { throw fail("SETITEM on a non-dict") }
                for p in stride(from: 0, to: items.count, by: 2) { box.pairs.append((items[p], items[p + 1])) }
            case 0x62: _ = try pop() // BUILD: an OrderedDict's _metadata, not needed
            case 0x51: // BINPERSID
                guard case .tuple(let id) = try pop(), id.count >= 5, case .string("storage") = id[0],
                      case .global(let type) = id[1], case .string(let key) = id[2],
                      let dtype = StoredDType.allCases.first(where: { "torch." + storageName($0) == type }) else {
                    throw fail("persistent id is not a torch storage reference")
                }
                stack.append(.storage(key: key, dtype: dtype))
            case 0x52: // REDUCE
                let args = try pop(), callable = try pop()
                guard case .global(let name) = callable, case .tuple(let a) = args else { throw fail("REDUCE of a non-global") }
                if name == "collections.OrderedDict" {
                    let box = Box()
                    if case .list(let list)? = a.first {
                        for pair in list.items {
                            switch pair {
                            case .tuple(let kv) where kv.count == 2: box.pairs.append((kv[0], kv[1]))
                            case .list(let kv) where kv.items.count == 2: box.pairs.append((kv.items[0], kv.items[1]))
                            default: throw fail("OrderedDict pair is not a pair")
                            }
                        }
                    }
                    stack.append(.dict(box))
                } else if name == "torch._utils._rebuild_tensor_v2" {
                    guard a.count >= 4, case .storage(let key, let dtype) = a[0], case .int(let offset) = a[1],
                          let shape = ints(a[2]), let strides = ints(a[3]), shape.count == strides.count else {
                        throw fail("malformed _rebuild_tensor_v2 arguments")
                    }
                    stack.append(.tensor(LegacyTensor(storageKey: key, dtype: dtype, storageOffset: offset, shape: shape, strides: strides)))
                } else {
                    throw fail("pickle calls \(name)")
                }
            default:
                throw fail("unsupported pickle opcode 0x\(String(op, radix: 16))")
            }
        }
        throw fail("the pickle has no STOP")
    }

    /// torch's legacy storage class name of a dtype.
    static func storageName(_ dtype: StoredDType) -> String {
        switch dtype {
        case .float32: "FloatStorage"
        case .float16: "HalfStorage"
        case .bfloat16: "BFloat16Storage"
        case .float64: "DoubleStorage"
        case .int64: "LongStorage"
        case .int32: "IntStorage"
        case .int16: "ShortStorage"
        case .int8: "CharStorage"
        case .uint8: "ByteStorage"
        case .bool: "BoolStorage"
        }
    }
}
