/// A pickle stream decoded into opcodes with their arguments (Python `pickletools`' opcode table,
/// protocols 0-5), before anything is interpreted. Only the opcodes `torch.save` emits for tensors
/// and containers are accepted (`torch/serialization.py` pickles with protocol 2 by default, and
/// up to 5 when asked); any other opcode (INST, OBJ, PERSID, EXT*, NEWOBJ_EX, the protocol-0 text
/// forms, buffers, sets) refuses the stream.
struct PickleProgram {
    /// One decoded opcode.
    enum Op {
        case mark, stop, pop, popMark, dup
        case none, bool(Bool), int(Int), bigInt([UInt8]), float(Double), string(String), bytes([UInt8])
        case emptyDict, emptyList, emptyTuple, tuple, tupleN(Int), list, dict
        case setItem, setItems, append, appends
        case put(Int), get(Int), memoize
        case global(module: String, name: String), stackGlobal
        case reduce, build, newObj, binPersId
    }

    /// The opcodes with the byte offset each starts at.
    let ops: [(op: Op, offset: Int)]

    /// Decodes `bytes` up to and including STOP; `source` names it in errors.
    init(_ bytes: UnsafeRawBufferPointer, source: String) throws {
        var reader = Reader(bytes: bytes, source: source)
        var ops: [(op: Op, offset: Int)] = []
        ops.reserveCapacity(min(bytes.count / 4, 1 << 20))
        while true {
            let offset = reader.at
            let code = try reader.byte()
            let op: Op
            switch code {
            case 0x80: // PROTO
                let version = try reader.byte()
                guard version <= 5 else { throw CheckpointError.badPickle(source, "protocol \(version) is newer than 5") }
                continue
            case 0x95: _ = try reader.fixed(8); continue // FRAME (a length hint)
            case 0x28: op = .mark
            case 0x2E: op = .stop
            case 0x30: op = .pop
            case 0x31: op = .popMark
            case 0x32: op = .dup
            case 0x4E: op = .none
            case 0x88: op = .bool(true)
            case 0x89: op = .bool(false)
            case 0x4A: op = .int(Int(Int32(bitPattern: UInt32(try reader.unsigned(4)))))
            case 0x4B: op = .int(Int(try reader.unsigned(1)))
            case 0x4D: op = .int(Int(try reader.unsigned(2)))
            case 0x8A: op = try Self.long(reader.fixed(Int(reader.unsigned(1))))
            case 0x8B:
                let n = Int32(bitPattern: UInt32(try reader.unsigned(4)))
                guard n >= 0 else { throw CheckpointError.badPickle(source, "LONG4 with negative length at byte \(offset)") }
                op = try Self.long(reader.fixed(Int(n)))
            case 0x47: op = .float(Double(bitPattern: UInt64(bigEndianBytes: try reader.fixed(8))))
            case 0x58: op = .string(try reader.text(Int(reader.unsigned(4))))
            case 0x8C: op = .string(try reader.text(Int(reader.unsigned(1))))
            case 0x8D: op = .string(try reader.text(reader.length(reader.unsigned(8))))
            case 0x55: op = .string(try reader.text(Int(reader.unsigned(1))))
            case 0x54:
                let n = Int32(bitPattern: UInt32(try reader.unsigned(4)))
                guard n >= 0 else { throw CheckpointError.badPickle(source, "BINSTRING with negative length at byte \(offset)") }
                op = .string(try reader.text(Int(n)))
            case 0x42: op = .bytes(Array(try reader.fixed(Int(reader.unsigned(4)))))
            case 0x43: op = .bytes(Array(try reader.fixed(Int(reader.unsigned(1)))))
            case 0x8E: op = .bytes(Array(try reader.fixed(reader.length(reader.unsigned(8)))))
            case 0x7D: op = .emptyDict
            case 0x5D: op = .emptyList
            case 0x29: op = .emptyTuple
            case 0x74: op = .tuple
            case 0x85: op = .tupleN(1)
            case 0x86: op = .tupleN(2)
            case 0x87: op = .tupleN(3)
            case 0x6C: op = .list
            case 0x64: op = .dict
            case 0x73: op = .setItem
            case 0x75: op = .setItems
            case 0x61: op = .append
            case 0x65: op = .appends
            case 0x71: op = .put(Int(try reader.unsigned(1)))
            case 0x72: op = .put(Int(try reader.unsigned(4)))
            case 0x68: op = .get(Int(try reader.unsigned(1)))
            case 0x6A: op = .get(Int(try reader.unsigned(4)))
            case 0x94: op = .memoize
            case 0x63: op = .global(module: try reader.line(), name: try reader.line())
            case 0x93: op = .stackGlobal
            case 0x52: op = .reduce
            case 0x62: op = .build
            case 0x81: op = .newObj
            case 0x51: op = .binPersId
            default:
                throw CheckpointError.unsafeOpcode(source, Self.name(of: code), at: offset)
            }
            ops.append((op, offset))
            if case .stop = op { break }
        }
        self.ops = ops
    }

    /// A LONG1/LONG4 payload (two's complement, little-endian) as an Int when it fits.
    private static func long(_ bytes: UnsafeRawBufferPointer) -> Op {
        if bytes.isEmpty { return .int(0) }
        guard bytes.count <= 8 else { return .bigInt(Array(bytes)) }
        var value: UInt64 = 0
        for (i, b) in bytes.enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
        if bytes.count < 8, bytes[bytes.count - 1] & 0x80 != 0 { value |= ~0 << (8 * UInt64(bytes.count)) }
        return .int(Int(Int64(bitPattern: value)))
    }

    /// The `pickletools` name of a refused opcode byte.
    static func name(of code: UInt8) -> String {
        let names: [UInt8: String] = [
            0x69: "INST", 0x6F: "OBJ", 0x50: "PERSID", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
            0x92: "NEWOBJ_EX", 0x8F: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET",
            0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER", 0x49: "INT", 0x4C: "LONG",
            0x46: "FLOAT", 0x53: "STRING", 0x56: "UNICODE", 0x70: "PUT", 0x67: "GET",
        ]
        return names[code].map { "\($0) (0x\(String(code, radix: 16)))" } ?? "0x\(String(code, radix: 16))"
    }

    /// A bounds-checked cursor over the stream.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        let source: String
        var at = 0

        mutating func fixed(_ n: Int) throws -> UnsafeRawBufferPointer {
            guard n >= 0, n <= bytes.count - at else {
                throw CheckpointError.badPickle(source, "stream ends inside an opcode at byte \(at) (wanted \(n) bytes)")
            }
            defer { at += n }
            return UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)])
        }

        mutating func byte() throws -> UInt8 { try fixed(1)[0] }

        mutating func unsigned(_ n: Int) throws -> UInt64 {
            let b = try fixed(n)
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(b[i]) << (8 * UInt64(i)) }
            return v
        }

        func length(_ v: UInt64) throws -> Int {
            guard let n = Checked.int(v) else { throw CheckpointError.badPickle(source, "length \(v) at byte \(at) exceeds the stream") }
            return n
        }

        mutating func text(_ n: Int) throws -> String {
            let b = try fixed(n)
            guard let s = String(validating: b, as: UTF8.self) else {
                throw CheckpointError.badPickle(source, "string before byte \(at) is not valid UTF-8")
            }
            return s
        }

        mutating func line() throws -> String {
            guard let newline = bytes[at...].firstIndex(of: 0x0A) else {
                throw CheckpointError.badPickle(source, "GLOBAL name at byte \(at) has no terminating newline")
            }
            let s = try text(newline - at)
            at += 1
            return s
        }
    }
}

private extension UInt64 {
    /// A big-endian 8-byte value (BINFLOAT's encoding).
    init(bigEndianBytes b: UnsafeRawBufferPointer) {
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(b[i]) }
        self = v
    }
}
