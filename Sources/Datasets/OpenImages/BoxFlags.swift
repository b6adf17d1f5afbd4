/// An Open Images yes/no/unknown flag (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html: 1 yes, 0 no, -1 unknown).
public enum TriState: Int8, Sendable, Equatable, Hashable, Codable {
    /// -1 or empty in the CSV.
    case unknown = -1
    /// 0 in the CSV.
    case no = 0
    /// 1 in the CSV.
    case yes = 1

    /// Parses "1", "0", "-1" or an empty field; nil for anything else.
    @inline(__always)
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> TriState? {
        if bytes.count == 1 {
            if bytes[0] == 0x31 { return .yes }
            if bytes[0] == 0x30 { return .no }
            return nil
        }
        if bytes.isEmpty { return .unknown }
        if bytes.count == 2, bytes[0] == 0x2D, bytes[1] == 0x31 { return .unknown }
        return nil
    }
}

/// The five per-box flags of the Open Images box CSV that the segmentation CSV lacks; the join
/// brings them to each mask (fiftyone's openimages.py and datumaro's plugin read the same columns).
public struct BoxFlags: Sendable, Equatable, Hashable, Codable {
    /// IsOccluded: the object is occluded by another object.
    public var isOccluded: TriState
    /// IsTruncated: the object extends beyond the image boundary.
    public var isTruncated: TriState
    /// IsGroupOf: the box spans a group of 5 or more instances.
    public var isGroupOf: TriState
    /// IsDepiction: a depiction (drawing, toy, photo of) rather than the real object.
    public var isDepiction: TriState
    /// IsInside: taken from inside the object (e.g. inside a car).
    public var isInside: TriState

    /// Creates flags; every flag defaults to unknown.
    public init(isOccluded: TriState = .unknown, isTruncated: TriState = .unknown, isGroupOf: TriState = .unknown,
                isDepiction: TriState = .unknown, isInside: TriState = .unknown) {
        self.isOccluded = isOccluded
        self.isTruncated = isTruncated
        self.isGroupOf = isGroupOf
        self.isDepiction = isDepiction
        self.isInside = isInside
    }

    /// The flags packed into 10 bits (2 per flag), for compact join tables.
    var packed: UInt16 {
        let values = [isOccluded, isTruncated, isGroupOf, isDepiction, isInside]
        var bits: UInt16 = 0
        for (i, value) in values.enumerated() { bits |= UInt16(UInt8(bitPattern: value.rawValue + 1)) << (2 * i) }
        return bits
    }

    /// Unpacks `packed`.
    init(packed bits: UInt16) {
        func flag(_ i: Int) -> TriState { TriState(rawValue: Int8((bits >> (2 * i)) & 3) - 1) ?? .unknown }
        self.init(isOccluded: flag(0), isTruncated: flag(1), isGroupOf: flag(2), isDepiction: flag(3), isInside: flag(4))
    }
}
