/// One Open Images object as `cn-ingest openimages` records it: the joined mask, its class name,
/// and the filter's verdict.
public struct OpenImagesObject: Sendable, Equatable {
    /// The mask row and its box flags.
    public var joined: JoinedMask
    /// The class's display name, nil when the class descriptions lack it.
    public var displayName: String?
    /// Why the object is rejected; nil when kept.
    public var rejection: ObjectRejection?

    /// A stable item key for the manifest: the MaskPath without ".png" (unique per mask).
    public var itemKey: String {
        let path = joined.mask.maskPath
        return path.hasSuffix(".png") ? String(path.dropLast(4)) : path
    }
}

/// The summary of one scan.
public struct OpenImagesScanReport: Sendable, Equatable {
    /// The join's counts and malformed rows.
    public var join: MaskBoxJoinStats
    /// Objects kept.
    public var kept = 0
    /// Rejections by reason kind.
    public var rejected: [String: Int] = [:]
    /// Malformed lines of the class-descriptions file.
    public var classMalformed = MalformedRowLog()
}

/// The library half of `cn-ingest openimages`: find a split's files, load the class names, join
/// masks to boxes and run the box-level filters, handing every object (kept or not, with its
/// reason) to `body` in segmentation-file order. Pixel checks happen later, at extraction.
public enum OpenImagesObjects {
    /// Scans a split; throws when the layout lacks the CSVs (the message lists what is missing).
    public static func scan(layout: OpenImagesLayout, filter: ObjectFilterConfig = ObjectFilterConfig(),
                            join: MaskBoxJoin = MaskBoxJoin(),
                            _ body: (OpenImagesObject) throws -> Void) throws -> OpenImagesScanReport {
        guard let segmentation = layout.segmentationCSV, !layout.boxCSVs.isEmpty else {
            let missing = layout.missing.filter { $0.contains(".csv") }
            throw DatasetFileError.unreadable(path: layout.root, reason: "missing " + missing.joined(separator: "; "))
        }
        var classMalformed = MalformedRowLog()
        let classes = try layout.classDescriptions.map { try ClassDescriptions(path: $0, malformed: &classMalformed) }
        var kept = 0
        var rejected: [String: Int] = [:]
        let stats = try join.run(segmentationCSV: segmentation, boxCSVs: layout.boxCSVs) { joined in
            let rejection = ObjectFilter.check(ObjectCandidate(joined), config: filter)
            if let rejection { rejected[rejection.kind, default: 0] += 1 } else { kept += 1 }
            try body(OpenImagesObject(joined: joined, displayName: classes?[joined.mask.labelName], rejection: rejection))
        }
        var report = OpenImagesScanReport(join: stats)
        report.kept = kept
        report.rejected = rejected
        report.classMalformed = classMalformed
        return report
    }
}
