import Datasets
import Foundation
import Manifest
import Pipeline
import Support

/// `cn-ingest objaverse --root DIR`: indexes every .glb/.gltf/.obj/.ply below DIR into the
/// `asset` table, with the Objaverse metadata (name, tags, categories, license) when DIR has
/// the Objaverse layout (`glbs/000-XXX/{uid}.glb` + `metadata/000-XXX.json[.gz]`, the objaverse package, github.com/allenai/objaverse-xl).
/// Files are only indexed here; a broken mesh fails later, in `cn-render`, with its reason.
public struct IngestObjaverseStage: Stage {
    public let name = "ingest-objaverse"
    /// The collection's root folder.
    public let root: String
    private let catalog = AssetCatalog()

    /// Creates the stage over a root folder.
    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
    }

    public func listItems(_ context: StageContext) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw RunnerError.cannotRun("--root \(root) is not a folder; point it at an Objaverse download or any folder of .glb/.gltf/.obj/.ply files")
        }
        let assets = try AssetScan.scan(root)
        var problems = MalformedRowLog()
        let metadata = ObjaverseLayout(root: root).loadMetadata(problems: &problems)
        for problem in problems.kept.prefix(5) {
            FileHandle.standardError.write(Data("ingest-objaverse: skipped metadata: \(problem)\n".utf8))
        }
        catalog.store(assets.map { asset in
            AssetCatalog.Entry(asset: asset, absolutePath: root + "/" + asset.relativePath,
                               metadata: asset.isObjaverseUID ? metadata[asset.id] : nil)
        })
        return Array(Set(assets.map(\.id)))
    }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        guard let entry = catalog.entry(item.key) else {
            throw RunnerError.cannotRun("asset \(item.key) is no longer under \(root)")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: entry.absolutePath)
        let bytes = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let meta = entry.metadata
        return .done([AssetRecord(
            id: entry.asset.id, path: entry.absolutePath, format: entry.asset.format.rawValue, fileBytes: bytes,
            name: meta?.name ?? ((entry.asset.relativePath as NSString).lastPathComponent as NSString).deletingPathExtension,
            tags: meta.map { JSONString.array($0.tags.map(\.name)) }, categories: meta.map { JSONString.array($0.categories.map(\.name)) },
            license: meta?.license)])
    }
}
