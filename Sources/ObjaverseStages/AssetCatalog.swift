import Datasets
import Synchronization

/// What `cn-ingest objaverse` found while listing: each asset's file and Objaverse metadata,
/// shared between the listing thread and the workers that record them.
final class AssetCatalog: Sendable {
    /// One asset found on disk.
    struct Entry: Sendable {
        let asset: ScannedAsset
        let absolutePath: String
        let metadata: ObjaverseMetadata?
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Replaces the catalog's content.
    func store(_ list: [Entry]) {
        entries.withLock { table in
            table.removeAll()
            for entry in list where table[entry.asset.id] == nil { table[entry.asset.id] = entry }
        }
    }

    /// The entry of an asset id.
    func entry(_ id: String) -> Entry? { entries.withLock { $0[id] } }
}
