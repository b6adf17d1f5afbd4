import GRDB
import Manifest

/// The poison-item rule (issue 13, part 4): an item whose process traps stays `pending`, so
/// without it every rerun would trap again and the items queued behind it would never finish.
/// Every claim of an item counts one attempt; a `pending` item with attempts was in flight when
/// a run of its stage died, once per attempt. At the next start an item in flight at
/// `maxCrashes` deaths is marked failed with kind `crashed`; the others that were in flight are
/// retried after every other item, one at a time, so a death charges only the item that caused
/// it and never the innocent neighbours that shared its batch.
struct InterruptedItems {
    /// Items to fail as `crashed`, with the number of deaths they were in flight at.
    var poison: [String: Int]
    /// Items to retry last and alone: in flight at fewer deaths, and (with --retry-failed)
    /// items failed as `crashed` before.
    var suspects: Set<String>

    /// Reads the ledger of `stage`, keeping the items `owns` says belong to this partition.
    static func load(_ db: Database, stage: String, maxCrashes: Int, retryFailed: Bool, owns: (String) -> Bool) throws -> InterruptedItems {
        let interrupted = try WorkLedger.interruptedItems(db, stage: stage).filter { owns($0.key) }
        let poison = interrupted.filter { $0.value >= maxCrashes }
        var suspects = Set(interrupted.keys).subtracting(poison.keys)
        if retryFailed { suspects.formUnion(try WorkLedger.crashedItems(db, stage: stage).filter(owns)) }
        return InterruptedItems(poison: poison, suspects: suspects)
    }

    /// Marks the poison items failed with kind `crashed` and a one-line reason.
    func markCrashed(_ db: Database, stage: String, now: String) throws {
        for (key, deaths) in poison.sorted(by: { $0.key < $1.key }) {
            let reason = "the \(stage) process died with this item in flight \(deaths) times (a trap, abort or kill while "
                + "processing it); it is set aside so the other items finish: fix the cause, then rerun with --retry-failed"
            try WorkLedger.complete(db, stage: stage, key: key, status: .failed, errorKind: WorkLedger.crashedKind,
                                    error: reason, output: nil, now: now)
        }
    }

    /// `keys` in processing order: every other item first, then the suspects; split in the two phases.
    func order(_ keys: [String], limit: Int?) -> (ordinary: [String], isolated: [String]) {
        let ordered = keys.filter { !suspects.contains($0) } + keys.filter(suspects.contains)
        let selected = limit.map { Array(ordered.prefix(max(0, $0))) } ?? ordered
        return (selected.filter { !suspects.contains($0) }, selected.filter(suspects.contains))
    }
}
