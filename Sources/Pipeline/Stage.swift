import Foundation
import Manifest
import Support

/// One resumable stage of the pipeline (one ledger row per item, as datatrove and img2dataset
/// resume by unit of work): it lists the keys
/// of the items it must process, then turns one item at a time into files and manifest records.
/// The `StageRunner` does the rest: queueing into `work`, partitioning, threads, temporary
/// files, batched commits, failures, signals and progress.
public protocol Stage: Sendable {
    /// The stage name: its `work.stage` value and the name of its output folder in the workdir.
    var name: String { get }

    /// Every item key this stage should process, in any order; keys must be stable across runs.
    /// Runs on the runner's thread before processing starts; read the manifest through `context`.
    func listItems(_ context: StageContext) throws -> [String]

    /// Processes one item. Write files only through `item.write` / `item.publishFolder`; return the
    /// records to commit with the item's status. Throw a `DescribedError` to fail the item.
    /// Called concurrently from `--jobs` threads, each item on one thread.
    func process(_ item: ItemContext) throws -> ItemOutcome

    /// The key `--partition I/N` hashes for an item: the item itself by default. A stage whose
    /// items derive from an upstream source (a caption of a composition of an asset) returns the
    /// source's key, so that every partition's workdir holds whole sources from stage to stage.
    /// nil: the item belongs to every partition (an index that every partition needs whole).
    func partitionKey(_ item: String) -> String?
}

extension Stage {
    /// By default an item is partitioned by its own key.
    public func partitionKey(_ item: String) -> String? { item }
}

/// What a processed item leaves: its status ('done' or 'skipped' with a reason) and its records.
public struct ItemOutcome: Sendable {
    /// 'done' or 'skipped'.
    public let status: WorkStatus
    /// The skip reason kind, when skipped (e.g. "mask-touches-border").
    public let reasonKind: String?
    /// The one-line skip reason, when skipped.
    public let reason: String?
    /// Rows committed in the same transaction as the status.
    public let records: [any ItemRecord]

    /// The item was processed and its records should be committed.
    public static func done(_ records: [any ItemRecord] = []) -> ItemOutcome {
        ItemOutcome(status: .done, reasonKind: nil, reason: nil, records: records)
    }

    /// The item was looked at and deliberately not used (a filter said no); the reason is recorded.
    public static func skipped(kind: String, reason: String, records: [any ItemRecord] = []) -> ItemOutcome {
        ItemOutcome(status: .skipped, reasonKind: kind, reason: oneLine(reason), records: records)
    }
}
