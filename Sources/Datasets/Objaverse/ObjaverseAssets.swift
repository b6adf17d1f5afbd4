import Support

/// One asset as `cn-ingest objaverse` records it: id, file, and the Objaverse annotations when
/// the download has them.
public struct ObjaverseAsset: Sendable, Equatable {
    /// The stable asset id (uid, or a hash of the relative path; see `ScannedAsset`).
    public var id: String
    /// The path relative to the root.
    public var relativePath: String
    /// The file format.
    public var format: ScannedAsset.Format
    /// The metadata of the uid, nil for non-Objaverse files or when absent.
    public var metadata: ObjaverseMetadata?
    /// The LVIS categories listing the uid (sorted).
    public var lvisCategories: [String]
}

/// What an Objaverse scan found.
public struct ObjaverseScanReport: Sendable, Equatable {
    /// Assets found on disk.
    public var assets = 0
    /// Of those, with metadata.
    public var withMetadata = 0
    /// uids listed in `object-paths.json.gz` whose file is absent (not downloaded).
    public var listedButMissing = 0
    /// Metadata files that could not be read.
    public var problems = MalformedRowLog()
}

/// The library half of `cn-ingest objaverse`: every .glb/.gltf/.obj/.ply under `root` (an
/// Objaverse download or any folder of meshes), joined with Objaverse's metadata and LVIS
/// categories where present, sorted by relative path.
public enum ObjaverseAssets {
    /// Scans `root`.
    public static func scan(root: String) throws -> (assets: [ObjaverseAsset], report: ObjaverseScanReport) {
        let layout = ObjaverseLayout(root: root)
        var report = ObjaverseScanReport()
        let metadata = layout.loadMetadata(problems: &report.problems)
        var lvis: [String: [String]] = [:]
        for (category, uids) in try layout.loadLVIS() {
            for uid in uids { lvis[uid, default: []].append(category) }
        }
        let scanned = try AssetScan.scan(root)
        let paths = try layout.loadObjectPaths()
        if !paths.isEmpty {
            let found = Set(scanned.filter(\.isObjaverseUID).map(\.id))
            report.listedButMissing = paths.keys.filter { !found.contains($0.lowercased()) }.count
        }
        let assets = scanned.map { asset in
            ObjaverseAsset(id: asset.id, relativePath: asset.relativePath, format: asset.format,
                           metadata: asset.isObjaverseUID ? metadata[asset.id] : nil,
                           lvisCategories: asset.isObjaverseUID ? (lvis[asset.id] ?? []).sorted() : [])
        }
        report.assets = assets.count
        report.withMetadata = assets.filter { $0.metadata != nil }.count
        return (assets, report)
    }
}
