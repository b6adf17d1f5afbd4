import Manifest

/// The outcome of one item, handed from a worker to the committing coordinator.
struct ItemResult: Sendable {
    let key: String
    let status: WorkStatus
    let errorKind: String?
    let error: String?
    let output: String?
    let records: [any ItemRecord]
    let files: [ItemContext.PublishedFile]
    let folders: Set<String>
}
