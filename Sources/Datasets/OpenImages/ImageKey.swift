import Support

/// A 64-bit key for an Open Images ImageID: the 16 hex digits packed exactly, so the join holds
/// no Strings. An id that is not 16 hex digits (not seen in the real files) falls back to its
/// FNV-1a hash, which could in theory collide.
public enum ImageKey {
    /// The key of an ImageID's bytes.
    @inline(__always)
    public static func make(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        FastNumber.hex64(bytes) ?? StableHash.fnv1a64(bytes: bytes)
    }

    /// The key of an ImageID.
    public static func make(_ text: String) -> UInt64 {
        Array(text.utf8).withUnsafeBufferPointer { make($0) }
    }
}

/// Interns short byte strings (LabelNames) as small integers without making Strings: an
/// open-addressing table over a flat byte store.
struct LabelTable: Sendable {
    private var bytes: [UInt8] = []
    private var offsets: [Int] = [0]
    private var slots: [Int32] = Array(repeating: -1, count: 1024)

    /// The number of distinct labels.
    var count: Int { offsets.count - 1 }

    @inline(__always)
    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    @inline(__always)
    private func equals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let lower = offsets[id], upper = offsets[id + 1]
        guard upper - lower == key.count else { return false }
        for k in 0..<key.count where bytes[lower + k] != key[k] { return false }
        return true
    }

    /// The id of `key`, nil when never interned.
    @inline(__always)
    func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let mask = slots.count - 1
        var slot = Self.hash(key) & mask
        while true {
            let id = slots[slot]
            if id < 0 { return nil }
            if equals(Int(id), key) { return id }
            slot = (slot + 1) & mask
        }
    }

    /// The id of `key`, adding it when new.
    mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let id = lookup(key) { return id }
        let id = Int32(count)
        bytes.append(contentsOf: key)
        offsets.append(bytes.count)
        if count * 2 > slots.count { rehash(slots.count * 2) } else { place(id, hash: Self.hash(key)) }
        return id
    }

    /// The label of an id.
    func label(_ id: Int32) -> String {
        String(decoding: bytes[offsets[Int(id)]..<offsets[Int(id) + 1]], as: UTF8.self)
    }

    private mutating func place(_ id: Int32, hash: Int) {
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = id
    }

    private mutating func rehash(_ size: Int) {
        slots = Array(repeating: -1, count: size)
        for id in 0..<count {
            let h = bytes.withUnsafeBufferPointer { all in
                Self.hash(UnsafeBufferPointer(rebasing: all[offsets[id]..<offsets[id + 1]]))
            }
            place(Int32(id), hash: h)
        }
    }
}
