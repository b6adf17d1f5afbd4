/// The in-memory side of the mask-to-box join: every mask's (ImageID, LabelName) key and box, in
/// about 60 bytes per mask (2.7M train masks: ~170 MB) with no Strings.
///
/// Keys live in an open-addressing table (packed ImageID, interned label) whose slot points at
/// a chain of the masks with that key; boxes are a flat array of 4 doubles per mask. Each mask
/// also holds its joined flags (10 bits, plus a "matched" bit).
struct MaskIndex {
    private(set) var labels = LabelTable()
    private(set) var boxes: [Double] = []
    private var chain: [Int32] = []
    private(set) var joined: [UInt16] = []
    private var slotImage: [UInt64] = Array(repeating: 0, count: 1 << 16)
    private var slotLabel: [Int32] = Array(repeating: -1, count: 1 << 16)
    private var slotHead: [Int32] = Array(repeating: -1, count: 1 << 16)
    private var usedSlots = 0

    static let matchedBit: UInt16 = 0x8000

    /// The number of masks.
    var count: Int { chain.count }

    @inline(__always)
    private static func hash(_ image: UInt64, _ label: Int32) -> Int {
        var h = image ^ (UInt64(UInt32(bitPattern: label)) &* 0x9E37_79B9_7F4A_7C15)
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
        joined.append(0)
        let slot = findSlot(image, labelID)
        if slotLabel[slot] < 0 {
            slotImage[slot] = image
            slotLabel[slot] = labelID
            slotHead[slot] = index
            chain.append(-1)
            usedSlots += 1
            if usedSlots * 10 > slotLabel.count * 7 { grow() }
        } else {
            chain.append(slotHead[slot])
            slotHead[slot] = index
        }
    }

    @inline(__always)
    private func findSlot(_ image: UInt64, _ label: Int32) -> Int {
        let mask = slotLabel.count - 1
        var slot = Self.hash(image, label) & mask
        while true {
            let l = slotLabel[slot]
            if l < 0 || (l == label && slotImage[slot] == image) { return slot }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let oldImage = slotImage, oldLabel = slotLabel, oldHead = slotHead
        let size = oldLabel.count * 2
        slotImage = Array(repeating: 0, count: size)
        slotLabel = Array(repeating: -1, count: size)
        slotHead = Array(repeating: -1, count: size)
        for k in 0..<oldLabel.count where oldLabel[k] >= 0 {
            let slot = findSlot(oldImage[k], oldLabel[k])
            slotImage[slot] = oldImage[k]
            slotLabel[slot] = oldLabel[k]
            slotHead[slot] = oldHead[k]
        }
    }

    /// The first mask of a key's chain, nil when no mask has that key.
    @inline(__always)
    func head(image: UInt64, label: Int32) -> Int32? {
        let slot = findSlot(image, label)
        return slotLabel[slot] < 0 ? nil : slotHead[slot]
    }

    /// The next mask of the same key, -1 at the end.
    @inline(__always)
    func next(_ index: Int32) -> Int32 { chain[Int(index)] }

    /// The box of mask `index`.
    @inline(__always)
    func box(_ index: Int32) -> NormalizedBox {
        let k = 4 * Int(index)
        return NormalizedBox(xMin: boxes[k], xMax: boxes[k + 1], yMin: boxes[k + 2], yMax: boxes[k + 3])
    }

    /// Records the flags a box brought to mask `index`; false when it already had some.
    @inline(__always)
    mutating func setFlags(_ index: Int32, _ flags: BoxFlags) -> Bool {
        if joined[Int(index)] & Self.matchedBit != 0 { return false }
        joined[Int(index)] = flags.packed | Self.matchedBit
        return true
    }

    /// The flags of mask `index`, nil when no box matched it.
    func flags(_ index: Int) -> BoxFlags? {
        let bits = joined[index]
        return bits & Self.matchedBit == 0 ? nil : BoxFlags(packed: bits & 0x3FF)
    }

    /// Bytes held (approximately), for reports.
    var approximateBytes: Int { boxes.count * 8 + chain.count * 4 + joined.count * 2 + slotLabel.count * 16 }
}
