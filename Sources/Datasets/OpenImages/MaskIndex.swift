/// The in-memory side of the mask-to-box join: every mask's (ImageID, LabelName) key and box, in
/// about 65 bytes per mask (2.7M train masks: ~175 MB) with no Strings.
///
/// Images live in an open-addressing table (packed ImageID) whose slot points at a chain of the
/// image's masks (each with its interned label); boxes are a flat array of 4 doubles per mask. Each mask
/// also holds its joined flags (10 bits, plus a "matched" bit).
struct MaskIndex: Sendable {
    private(set) var labels = LabelTable()
    private(set) var boxes: [Double] = []
    private var labelOf: [Int32] = []
    private var chain: [Int32] = []
    private(set) var joined: [UInt16] = []
    private var slots: [Slot] = Array(repeating: Slot(image: 0, head: -1), count: 1 << 16)
    private var usedSlots = 0

    /// One image's chain of masks; 16 bytes, so a probe touches one cache line.
    struct Slot {
        var image: UInt64
        var head: Int32
    }

    static let matchedBit: UInt16 = 0x8000

    /// The number of masks.
    var count: Int { chain.count }

    @inline(__always)
    private static func hash(_ image: UInt64) -> Int {
        var h = image
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// Adds a mask; its index is the number of masks added before it.
    mutating func add(image: UInt64, label: UnsafeBufferPointer<UInt8>, box: NormalizedBox) {
        let labelID = labels.intern(label)
        let index = Int32(chain.count)
        boxes.append(box.xMin); boxes.append(box.xMax); boxes.append(box.yMin); boxes.append(box.yMax)
        labelOf.append(labelID)
        joined.append(0)
        let slot = findSlot(image)
        if slots[slot].head < 0 {
            slots[slot] = Slot(image: image, head: index)
            chain.append(-1)
            usedSlots += 1
            if usedSlots * 10 > slots.count * 7 { grow() }
        } else {
            chain.append(slots[slot].head)
            slots[slot].head = index
        }
    }

    @inline(__always)
    private func findSlot(_ image: UInt64) -> Int {
        slots.withUnsafeBufferPointer { table in
            let mask = table.count - 1
            var slot = Self.hash(image) & mask
            while true {
                let entry = table[slot]
                if entry.head < 0 || entry.image == image { return slot }
                slot = (slot + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(image: 0, head: -1), count: old.count * 2)
        for entry in old where entry.head >= 0 { slots[findSlot(entry.image)] = entry }
    }

    /// The first mask of an image's chain, nil when the image has no mask.
    @inline(__always)
    func head(image: UInt64) -> Int32? {
        let entry = slots[findSlot(image)]
        return entry.head < 0 ? nil : entry.head
    }

    /// The next mask of the same image, -1 at the end.
    @inline(__always)
    func next(_ index: Int32) -> Int32 { chain[Int(index)] }

    /// The interned label of mask `index`.
    @inline(__always)
    func label(_ index: Int32) -> Int32 { labelOf[Int(index)] }

    /// The box of mask `index`.
    @inline(__always)
    func box(_ index: Int32) -> NormalizedBox {
        let k = 4 * Int(index)
        return NormalizedBox(xMin: boxes[k], xMax: boxes[k + 1], yMin: boxes[k + 2], yMax: boxes[k + 3])
    }

    /// Takes the flags found by the parts of a box scan, earlier parts first (so the first
    /// matching box row in file order wins); returns how many masks matched and how many
    /// later matches were duplicates.
    mutating func adopt(_ parts: [[UInt16]]) -> (matched: Int, duplicates: Int) {
        var matched = 0, duplicates = 0
        for part in parts {
            for k in 0..<part.count where part[k] & Self.matchedBit != 0 {
                if joined[k] & Self.matchedBit != 0 { duplicates += 1 } else { joined[k] = part[k]; matched += 1 }
            }
        }
        return (matched, duplicates)
    }

    /// The flags of mask `index`, nil when no box matched it.
    func flags(_ index: Int) -> BoxFlags? {
        let bits = joined[index]
        return bits & Self.matchedBit == 0 ? nil : BoxFlags(packed: bits & 0x3FF)
    }

    /// Bytes held (approximately), for reports.
    var approximateBytes: Int { boxes.count * 8 + chain.count * 4 + labelOf.count * 4 + joined.count * 2 + slots.count * 16 }
}
