/// The unpickler's working objects. Pickled lists and dicts are mutable and shared through the memo
/// (Python `pickle` builds an empty list, memoizes it, then APPENDS into it), so they are reference
/// boxes while interpreting and become `PickleValue`s once, at STOP.
enum PickleItem {
    case leaf(PickleValue)
    case list(ListBox)
    case tuple(TupleBox)
    case dict(DictBox)
    case global(PickleGlobal, name: String)
    case storage(StorageBox)

    /// A pickled list.
    final class ListBox { var items: [PickleItem] = [] }

    /// A pickled tuple (immutable; boxed so shared tuples convert once).
    final class TupleBox {
        var items: [PickleItem]
        init(_ items: [PickleItem]) { self.items = items }
    }

    /// A pickled dict with Python's key identity (1, 1.0 and True are one key).
    final class DictBox {
        var keys: [PickleItem] = []
        var values: [PickleItem] = []
        var slots: [String: Int] = [:]
        var attributes: [(PickleItem, PickleItem)] = []

        /// Sets `key` to `value`, replacing an equal key's value in place.
        func set(_ key: PickleItem, _ value: PickleItem) throws(PickleKeyError) {
            let hash = try key.hashKey()
            if let slot = slots[hash] {
                values[slot] = value
            } else {
                slots[hash] = keys.count
                keys.append(key)
                values.append(value)
            }
        }
    }

    /// A persistent-id storage reference.
    final class StorageBox {
        let key: String, dtype: StoredDType, count: Int, location: String
        init(key: String, dtype: StoredDType, count: Int, location: String) {
            self.key = key; self.dtype = dtype; self.count = count; self.location = location
        }
    }

    /// An unhashable dict key.
    struct PickleKeyError: Error { let kind: String }

    /// A string identifying the key the way Python's hash and == would.
    func hashKey() throws(PickleKeyError) -> String {
        switch self {
        case .leaf(let v):
            switch v {
            case .none: return "n"
            case .bool(let b): return "i\(b ? 1 : 0)"
            case .int(let i): return "i\(i)"
            case .bigInt(let b): return "I\(b)"
            case .float(let f): return f.rounded() == f && abs(f) < 0x1p62 ? "i\(Int(f))" : "f\(f.bitPattern)"
            case .string(let s): return "s\(s.utf8.count):\(s)"
            case .bytes(let b): return "b\(b)"
            case .device(let d): return "d\(d)"
            default: throw PickleKeyError(kind: "tensor")
            }
        case .tuple(let t):
            var parts: [String] = []
            for item in t.items { parts.append(try item.hashKey()) }
            return "t\(parts.count)(" + parts.joined(separator: ",") + ")"
        case .global(_, let name): return "g\(name)"
        case .list: throw PickleKeyError(kind: "list")
        case .dict: throw PickleKeyError(kind: "dict")
        case .storage: throw PickleKeyError(kind: "storage")
        }
    }

    /// A short name of the item's kind, for messages.
    var kindName: String {
        switch self {
        case .leaf(let v):
            switch v {
            case .tensor: "tensor"
            case .string: "str"
            case .int, .bigInt: "int"
            default: "value"
            }
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .global(_, let name): name
        case .storage: "storage"
        }
    }
}

/// Every box an unpickling made, so they can be emptied before release: a hostile stream can nest
/// boxes 100,000 deep, and releasing such a chain recursively would overflow the stack.
final class PickleArena {
    private var lists: [PickleItem.ListBox] = []
    private var tuples: [PickleItem.TupleBox] = []
    private var dicts: [PickleItem.DictBox] = []

    /// A new list box.
    func list(_ items: [PickleItem] = []) -> PickleItem.ListBox {
        let box = PickleItem.ListBox()
        box.items = items
        lists.append(box)
        return box
    }

    /// A new tuple box.
    func tuple(_ items: [PickleItem]) -> PickleItem.TupleBox {
        let box = PickleItem.TupleBox(items)
        tuples.append(box)
        return box
    }

    /// A new dict box.
    func dict() -> PickleItem.DictBox {
        let box = PickleItem.DictBox()
        dicts.append(box)
        return box
    }

    /// Empties every box while the arena still holds them all, so none releases another.
    func dismantle() {
        for box in lists { box.items = [] }
        for box in tuples { box.items = [] }
        for box in dicts { box.keys = []; box.values = []; box.attributes = [] }
    }
}

/// Turns the working objects into values: each box converts once (shared references share the
/// converted value), a box containing itself is an error, and nesting is bounded.
struct PickleFreezer {
    private var done: [ObjectIdentifier: PickleValue] = [:]
    private var active = Set<ObjectIdentifier>()
    let source: String
    static let maximumDepth = 512

    init(source: String) { self.source = source }

    mutating func freeze(_ item: PickleItem, depth: Int = 0) throws -> PickleValue {
        guard depth < Self.maximumDepth else { throw CheckpointError.badPickle(source, "containers nested deeper than \(Self.maximumDepth)") }
        switch item {
        case .leaf(let v): return v
        case .global(_, let name): return .global(name)
        case .storage(let s):
            return .tensor(TensorReference(storageKey: s.key, dtype: s.dtype, storageCount: s.count, storageOffset: 0,
                                           shape: [s.count], strides: [1], requiresGrad: false, isParameter: false, location: s.location))
        case .list(let box):
            return try boxed(box) { me in .list(try box.items.map { try me.freeze($0, depth: depth + 1) }) }
        case .tuple(let box):
            return try boxed(box) { me in .tuple(try box.items.map { try me.freeze($0, depth: depth + 1) }) }
        case .dict(let box):
            return try boxed(box) { me in
                var entries: [PickleDictionary.Entry] = []
                entries.reserveCapacity(box.keys.count)
                for (k, v) in zip(box.keys, box.values) {
                    entries.append(.init(key: try me.freeze(k, depth: depth + 1), value: try me.freeze(v, depth: depth + 1)))
                }
                var attributes: [PickleDictionary.Entry] = []
                for (k, v) in box.attributes {
                    attributes.append(.init(key: try me.freeze(k, depth: depth + 1), value: try me.freeze(v, depth: depth + 1)))
                }
                return .dict(PickleDictionary(entries: entries, attributes: attributes))
            }
        }
    }

    private mutating func boxed(_ box: AnyObject, _ make: (inout PickleFreezer) throws -> PickleValue) throws -> PickleValue {
        let id = ObjectIdentifier(box)
        if let value = done[id] { return value }
        guard !active.contains(id) else { throw CheckpointError.badPickle(source, "a container contains itself") }
        active.insert(id)
        let value = try make(&self)
        active.remove(id)
        done[id] = value
        return value
    }
}
