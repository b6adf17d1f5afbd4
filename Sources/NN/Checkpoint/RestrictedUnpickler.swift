/// A pickle interpreter for tensor checkpoints (Python `pickle` protocols 2-5 as `torch.save`
/// writes them; `torch/_weights_only_unpickler.py` is PyTorch's own restricted reader). The whole
/// opcode stream is decoded and every global checked against `PickleGlobal` first; only then is it
/// interpreted. Allowed callables are interpreted by name (`_rebuild_tensor_v2` becomes a
/// `TensorReference`, `OrderedDict()` an empty dict); nothing named is ever executed.
public enum RestrictedUnpickler {
    /// Decodes `bytes` into a value; `source` names the stream in errors.
    public static func load(_ bytes: UnsafeRawBufferPointer, source: String) throws -> PickleValue {
        let program = try PickleProgram(bytes, source: source)
        try PickleGlobalScan.check(program, source: source)
        let arena = PickleArena()
        defer { arena.dismantle() }
        var machine = Machine(source: source, arena: arena)
        let top = try machine.run(program)
        var freezer = PickleFreezer(source: source)
        return try freezer.freeze(top)
    }

    /// Decodes a byte array (see `load(_:source:)`).
    public static func load(_ bytes: [UInt8], source: String) throws -> PickleValue {
        try bytes.withUnsafeBytes { try load($0, source: source) }
    }

    /// The interpreter state: stack, mark positions and memo.
    private struct Machine {
        let source: String
        let arena: PickleArena
        var stack: [PickleItem] = []
        var marks: [Int] = []
        var memo: [Int: PickleItem] = [:]
        var offset = 0

        init(source: String, arena: PickleArena) {
            self.source = source
            self.arena = arena
        }

        func fail(_ why: String) -> Error { CheckpointError.badPickle(source, "\(why) (opcode at byte \(offset))") }

        mutating func pop() throws -> PickleItem {
            guard let top = stack.popLast() else { throw fail("stack underflow") }
            if let mark = marks.last, stack.count < mark { throw fail("an opcode consumed a MARK") }
            return top
        }

        mutating func popToMark() throws -> [PickleItem] {
            guard let mark = marks.popLast(), mark <= stack.count else { throw fail("no MARK on the stack") }
            defer { stack.removeSubrange(mark...) }
            return Array(stack[mark...])
        }

        // MARK: - Interpreting the checked program
        mutating func run(_ program: PickleProgram) throws -> PickleItem {
            for (op, at) in program.ops {
                offset = at
                switch op {
                case .mark: marks.append(stack.count)
                case .stop:
                    guard stack.count == 1, marks.isEmpty else { throw fail("STOP with \(stack.count) values and \(marks.count) marks left") }
                    return stack[0]
                case .pop: _ = try pop()
                case .popMark: _ = try popToMark()
                case .dup:
                    guard let top = stack.last else { throw fail("stack underflow") }
                    stack.append(top)
                case .none: stack.append(.leaf(.none))
                case .bool(let b): stack.append(.leaf(.bool(b)))
                case .int(let i): stack.append(.leaf(.int(i)))
                case .bigInt(let b): stack.append(.leaf(.bigInt(b)))
                case .float(let f): stack.append(.leaf(.float(f)))
                case .string(let s): stack.append(.leaf(.string(s)))
                case .bytes(let b): stack.append(.leaf(.bytes(b)))
                case .emptyDict: stack.append(.dict(arena.dict()))
                case .emptyList: stack.append(.list(arena.list()))
                case .emptyTuple: stack.append(.tuple(arena.tuple([])))
                case .tuple: stack.append(.tuple(arena.tuple(try popToMark())))
                case .tupleN(let n):
                    var items: [PickleItem] = []
                    for _ in 0..<n { items.append(try pop()) }
                    stack.append(.tuple(arena.tuple(items.reversed())))
                case .list:
                    stack.append(.list(arena.list(try popToMark())))
                case .dict:
                    let box = arena.dict()
                    try setItems(box, try popToMark())
                    stack.append(.dict(box))
                case .setItem:
                    let value = try pop(), key = try pop()
                    try setItems(try dictOnTop(), [key, value])
                case .setItems:
                    let pairs = try popToMark()
                    try setItems(try dictOnTop(), pairs)
                case .append:
                    let value = try pop()
                    try listOnTop().items.append(value)
                case .appends:
                    let values = try popToMark()
                    try listOnTop().items.append(contentsOf: values)
                case .put(let slot):
                    guard let top = stack.last else { throw fail("PUT on an empty stack") }
                    memo[slot] = top
                case .memoize:
                    guard let top = stack.last else { throw fail("MEMOIZE on an empty stack") }
                    memo[memo.count] = top
                case .get(let slot):
                    guard let item = memo[slot] else { throw fail("memo slot \(slot) was never set") }
                    stack.append(item)
                case .global(let module, let name):
                    stack.append(try global(module, name))
                case .stackGlobal:
                    let name = try pop(), module = try pop()
                    guard case .leaf(.string(let n)) = name, case .leaf(.string(let m)) = module else {
                        throw fail("STACK_GLOBAL operands are not strings")
                    }
                    stack.append(try global(m, n))
                case .reduce:
                    let args = try pop(), callable = try pop()
                    stack.append(try call(callable, args))
                case .newObj:
                    let args = try pop(), cls = try pop()
                    guard case .global(.orderedDict, _) = cls else { throw fail("NEWOBJ of \(cls.kindName) is not part of a tensor checkpoint") }
                    stack.append(try call(cls, args))
                case .build:
                    let state = try pop()
                    guard case .dict(let box) = stack.last else {
                        throw fail("BUILD on a \(stack.last?.kindName ?? "nothing") is not part of a tensor checkpoint")
                    }
                    try build(box, state)
                case .binPersId:
                    stack.append(try storage(try pop()))
                }
            }
            throw fail("the stream has no STOP")
        }

        func global(_ module: String, _ name: String) throws -> PickleItem {
            guard let global = PickleGlobal(module: module, name: name) else {
                throw CheckpointError.unsafeGlobal(source, "\(module).\(name)")
            }
            return .global(global, name: "\(module).\(name)")
        }

        func dictOnTop() throws -> PickleItem.DictBox {
            guard case .dict(let box) = stack.last else { throw fail("SETITEM(S) on a \(stack.last?.kindName ?? "nothing"), not a dict") }
            return box
        }

        func listOnTop() throws -> PickleItem.ListBox {
            guard case .list(let box) = stack.last else { throw fail("APPEND(S) on a \(stack.last?.kindName ?? "nothing"), not a list") }
            return box
        }

        func setItems(_ box: PickleItem.DictBox, _ flat: [PickleItem]) throws {
            guard flat.count % 2 == 0 else { throw fail("odd number of items for a dict") }
            for i in stride(from: 0, to: flat.count, by: 2) {
                do { try box.set(flat[i], flat[i + 1]) } catch { throw fail("unhashable \(error.kind) used as a dict key") }
            }
        }

        /// OrderedDict's BUILD state (`vars(od)`, or `(dict, slots)`) becomes its attributes.
        func build(_ box: PickleItem.DictBox, _ state: PickleItem) throws {
            var parts: [PickleItem] = [state]
            if case .tuple(let t) = state, t.items.count == 2 { parts = t.items }
            for part in parts {
                switch part {
                case .leaf(.none): continue
                case .dict(let attrs): box.attributes += zip(attrs.keys, attrs.values).map { ($0, $1) }
                default: throw fail("BUILD state of a dict is a \(part.kindName)")
                }
            }
        }

        /// A persistent id `("storage", torch.<T>Storage, key, location, numel)`.
        func storage(_ pid: PickleItem) throws -> PickleItem {
            guard case .tuple(let t) = pid, t.items.count == 5, case .leaf(.string("storage")) = t.items[0],
                  case .global(.storage(let dtype), _) = t.items[1], case .leaf(.string(let key)) = t.items[2],
                  case .leaf(.string(let location)) = t.items[3], case .leaf(.int(let count)) = t.items[4], count >= 0 else {
                throw fail("persistent id is not a torch storage reference (\"storage\", torch.<T>Storage, key, location, numel)")
            }
            return .storage(PickleItem.StorageBox(key: key, dtype: dtype, count: count, location: location))
        }

        func call(_ callable: PickleItem, _ arguments: PickleItem) throws -> PickleItem {
            guard case .global(let global, let name) = callable else { throw fail("REDUCE calls a \(callable.kindName), not an allowed global") }
            guard case .tuple(let argBox) = arguments else { throw fail("arguments of \(name) are not a tuple") }
            let args = argBox.items
            switch global {
            case .orderedDict:
                let box = arena.dict()
                if let first = args.first {
                    guard args.count == 1, case .list(let pairs) = first else { throw fail("OrderedDict takes at most one list of pairs") }
                    for pair in pairs.items {
                        guard case .tuple(let kv) = pair, kv.items.count == 2 else { throw fail("OrderedDict pair is not a 2-tuple") }
                        try setItems(box, kv.items)
                    }
                }
                return .dict(box)
            case .rebuildTensor:
                return .leaf(.tensor(try rebuildTensor(args)))
            case .rebuildParameter, .rebuildParameterWithState:
                guard args.count == (global == .rebuildParameter ? 3 : 4), case .leaf(.tensor(var tensor)) = args[0],
                      case .leaf(.bool(let requiresGrad)) = args[1] else {
                    throw fail("\(name) arguments are not (tensor, requires_grad, hooks\(global == .rebuildParameter ? "" : ", state"))")
                }
                tensor.isParameter = true
                tensor.requiresGrad = requiresGrad
                return .leaf(.tensor(tensor))
            case .device:
                guard let first = args.first, case .leaf(.string(let kind)) = first, args.count <= 2 else {
                    throw fail("torch.device arguments are not (type[, index])")
                }
                if args.count == 2, case .leaf(.int(let index)) = args[1] { return .leaf(.device("\(kind):\(index)")) }
                return .leaf(.device(kind))
            case .encodeBytes:
                guard args.count == 2, case .leaf(.string(let text)) = args[0], case .leaf(.string(let codec)) = args[1],
                      ["latin1", "latin-1", "iso-8859-1"].contains(codec.lowercased()) else {
                    throw fail("_codecs.encode arguments are not (text, \"latin1\")")
                }
                var bytes: [UInt8] = []
                for scalar in text.unicodeScalars {
                    guard scalar.value < 256 else { throw fail("_codecs.encode text has a character outside latin-1") }
                    bytes.append(UInt8(scalar.value))
                }
                return .leaf(.bytes(bytes))
            case .storage, .inert:
                throw CheckpointError.unsafeGlobal(source, "\(name) (called)")
            }
        }

        /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`.
        func rebuildTensor(_ args: [PickleItem]) throws -> TensorReference {
            guard args.count == 6 || args.count == 7, case .storage(let storage) = args[0], case .leaf(.int(let offset)) = args[1],
                  let shape = ints(args[2]), let strides = ints(args[3]), case .leaf(.bool(let requiresGrad)) = args[4] else {
                throw fail("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, requires_grad, hooks)")
            }
            return TensorReference(storageKey: storage.key, dtype: storage.dtype, storageCount: storage.count, storageOffset: offset,
                                   shape: shape, strides: strides, requiresGrad: requiresGrad, isParameter: false, location: storage.location)
        }

        func ints(_ item: PickleItem) -> [Int]? {
            guard case .tuple(let t) = item else { return nil }
            var out: [Int] = []
            for element in t.items {
                guard case .leaf(.int(let i)) = element else { return nil }
                out.append(i)
            }
            return out
        }
    }
}
