/// One run of a tar archive's bytes, in archive order: an array (a header, a member, held by
/// reference: a Swift array is retained, not copied) or a run of zero bytes (padding, end blocks).
/// `TarWriter` lists them in chunks for its hash (`TarHashFeed`) and its file (`TarBatchFiller`).
enum TarPiece: Sendable {
    case bytes([UInt8])
    case zeros(Int)

    /// Bytes of the archive this piece stands for.
    var count: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .zeros(let count): count
        }
    }
}
