/// Sizes for planning shards without encoding every sample first. `ShardLimits.plan` needs each
/// sample's archived size; when a field is expensive to produce (the concat PNG is encoded at
/// shard time), plan with an UPPER BOUND of its size instead: a range planned on bounds never
/// overflows when written with the real (smaller) sizes, so `ShardSequenceWriter.writeShard`
/// accepts it, and the plan stays a pure function of the inputs (shards just come out a little
/// under the byte cap). Bounds follow the PNG spec's chunk layout and zlib's deflateBound.
public enum ShardSizeEstimate {
    /// Archived size of a sample whose fields have these byte counts (tar headers + padding).
    public static func archivedSize(fieldSizes: [Int]) -> Int {
        fieldSizes.reduce(0) { $0 + TarHeader.archivedSize(ofMemberWithDataSize: $1) }
    }

    /// An upper bound on the size of an 8-bit PNG of `width` x `height` with `channels` channels,
    /// whatever the filter and compression level: raw scanlines (one filter byte per row) through
    /// deflate's worst case (zlib deflateBound, plus margin), split into IDAT chunks of at least
    /// 8 KiB (libpng's default), plus signature, IHDR and IEND. Ancillary chunks are not counted:
    /// use it for PNGs written without them (Imaging's encoder writes none).
    public static func pngUpperBound(width: Int, height: Int, channels: Int) -> Int {
        let raw = height * (1 + width * channels)
        let deflated = raw + raw / 8 + raw / 64 + (raw >> 12) + 64
        let idatChunks = deflated / 8192 + 1
        return 8 + 25 + 12 + deflated + 12 * idatChunks
    }
}
