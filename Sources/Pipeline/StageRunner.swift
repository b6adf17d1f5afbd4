import Foundation
import GRDB
import Manifest
import Support

/// Runs one `Stage` resumably (as datatrove and NeMo Curator do: a ledger row per item, only
/// final rows are skipped on resume): takes the stage's lock, removes orphaned temporaries,
/// queues the listed items of its partition into `work`, hands them to `jobs` worker threads,
/// and commits each finished item's records together with its status in batched transactions
/// from this one writer. A killed run loses only the items in flight; the next run picks up
/// every item whose row is not final, failing as `crashed` those in flight at `maxCrashes`
/// deaths and retrying the others that were in flight last and one at a time. A stop signal
/// ends claiming; items still unfinished after `stopGrace` seconds are handed back to pending.
public final class StageRunner {
    private let stage: any Stage
    private let context: StageContext
    private let options: RunOptions
    private let invocation: RunLog.Invocation

    /// Prepares a run of `stage` over the workdir's manifest.
    public init(stage: any Stage, context: StageContext, options: RunOptions, invocation: RunLog.Invocation) {
        self.stage = stage
        self.context = context
        self.options = options
        self.invocation = invocation
    }

    // MARK: - Run

    /// Runs the stage to the end of its items, to `--limit`, or to a stop signal.
    public func run() throws -> RunSummary {
        let lock = try StageLock(workdir: context.workdir, stage: stage.name)
        defer { withExtendedLifetime(lock) {} }
        let started = Date()
        var summary = RunSummary(stage: stage.name)
        summary.removedOrphans = AtomicFile.removeOrphans(below: context.workdir.appendingPathComponent(stage.name).path)

        let manifest = context.manifest
        let runID = try manifest.write { db in try RunLog.start(db, invocation, now: Timestamp.now()) }
        summary.runID = runID
        do {
            return try run(runID: runID, started: started, summary: summary)
        } catch {
            try? manifest.write { db in try RunLog.finish(db, run: runID, exitStatus: 1, pending: 0, now: Timestamp.now()) }
            throw error
        }
    }

    private func run(runID: Int64, started: Date, summary initial: RunSummary) throws -> RunSummary {
        var summary = initial
        let manifest = context.manifest
        let keys = try stage.listItems(context).filter(ownsItem).sorted()
        summary.listed = keys.count
        summary.newlyQueued = try enqueue(keys)
        let interrupted = try manifest.read { db in
            try InterruptedItems.load(db, stage: stage.name, maxCrashes: options.maxCrashes, retryFailed: options.retryFailed, owns: ownsItem)
        }
        if !interrupted.poison.isEmpty {
            try manifest.write { db in try interrupted.markCrashed(db, stage: stage.name, now: Timestamp.now()) }
            summary.crashed = interrupted.poison.count
        }
        let runnable = try manifest.read { db in
            try WorkLedger.runnableKeys(db, stage: stage.name, includeFailed: options.retryFailed)
        }.filter(ownsItem)
        let phases = interrupted.order(runnable, limit: options.limit)
        summary.selected = phases.ordinary.count + phases.isolated.count

        let jobs = max(1, options.jobs)
        try process(phases.ordinary, jobs: jobs, window: 2 * jobs, runID: runID, summary: &summary)
        if StopSignal.pending == 0 {
            try process(phases.isolated, jobs: 1, window: 1, runID: runID, summary: &summary)
        }

        let leftPending = try manifest.read { db in try WorkLedger.runnableKeys(db, stage: stage.name, includeFailed: false) }
            .filter(ownsItem).count
        summary.leftPending = leftPending
        summary.seconds = Date().timeIntervalSince(started)
        summary.signal = StopSignal.pending
        if let threshold = options.maxFailureRate, summary.failureRate > threshold { summary.failureRateExceeded = true }
        let status = summary.exitStatus
        try manifest.write { db in try RunLog.finish(db, run: runID, exitStatus: status, pending: leftPending, now: Timestamp.now()) }
        return summary
    }

    /// Whether this run's partition owns an item (by the stage's partition key).
    private func ownsItem(_ key: String) -> Bool {
        stage.partitionKey(key).map(options.partition.contains) ?? true
    }

    /// Adds the listed keys to the ledger in large transactions (sorted keys make B-tree appends).
    private func enqueue(_ keys: [String]) throws -> Int {
        var inserted = 0
        var offset = 0
        let now = Timestamp.now()
        while offset < keys.count {
            let batch = keys[offset..<min(offset + 50_000, keys.count)]
            inserted += try context.manifest.write { db in try WorkLedger.enqueue(db, stage: stage.name, keys: batch, now: now) }
            offset += batch.count
        }
        return inserted
    }

    // MARK: - Processing

    /// Processes `keys` on `jobs` worker threads with at most `window` items claimed at once,
    /// committing as they finish, until done or stopped.
    private func process(_ keys: [String], jobs: Int, window: Int, runID: Int64, summary: inout RunSummary) throws {
        guard !keys.isEmpty else { return }
        let tasks = BlockingQueue<String>()
        let results = BlockingQueue<ItemResult>()
        let workers = DispatchGroup()
        for _ in 0..<jobs {
            workers.enter()
            let thread = Thread { [stage, context] in
                while let key = tasks.pop() {
                    results.push([Self.processOne(key, stage: stage, context: context)])
                }
                workers.leave()
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        var abandoned = false
        defer {
            tasks.close()
            if !abandoned { workers.wait() }
        }

        let progress = ProgressReporter(label: stage.name, total: keys.count, mode: options.progress)
        var next = 0
        var inFlight = Set<String>()
        var stopAsked: Date?
        while true {
            let finished = results.drain(minimum: inFlight.isEmpty ? 0 : 1, timeout: inFlight.isEmpty ? 0 : 0.05)
            let stopping = StopSignal.pending != 0
            if stopping && stopAsked == nil { stopAsked = Date() }
            let room = stopping ? 0 : max(0, window - (inFlight.count - finished.count))
            let claim = Array(keys[next..<min(next + room, keys.count)])
            if finished.isEmpty && claim.isEmpty {
                if inFlight.isEmpty { break }
                if let asked = stopAsked, Date().timeIntervalSince(asked) > options.stopGrace {
                    summary.released = try release(inFlight, runID: runID)
                    abandoned = true
                    break
                }
                continue
            }
            let counts = try commit(finished, claim: claim, runID: runID)
            summary.done += counts.done
            summary.failed += counts.failed
            summary.skipped += counts.skipped
            next += claim.count
            inFlight.subtract(finished.map(\.key))
            inFlight.formUnion(claim)
            tasks.push(claim)
            progress.update(done: summary.done, failed: summary.failed, skipped: summary.skipped)
        }
        progress.update(done: summary.done, failed: summary.failed, skipped: summary.skipped, force: true)
        progress.clear()
    }

    /// Hands unfinished items back to pending (their claims taken back from the ledger and the
    /// run row) when the stop grace has run out; their workers are left to die with the process.
    private func release(_ keys: Set<String>, runID: Int64) throws -> Int {
        try context.manifest.write { db in
            try WorkLedger.release(db, stage: stage.name, keys: keys.sorted(), now: Timestamp.now())
            try RunLog.add(db, run: runID, claimed: -keys.count, done: 0, failed: 0, skipped: 0)
        }
        return keys.count
    }

    // MARK: - Committing

    /// Commits finished items (records, artifacts, status) and claims the next ones, in one
    /// transaction, after fsyncing the folders their files were renamed into.
    private func commit(_ finished: [ItemResult], claim: [String], runID: Int64) throws -> (done: Int, failed: Int, skipped: Int) {
        let name = stage.name
        for folder in Set(finished.flatMap(\.folders)) { AtomicFile.syncFolder(folder) }
        return try context.manifest.write { db in
            let now = Timestamp.now()
            var done = 0, failed = 0, skipped = 0
            for result in finished {
                var status = result.status
                var kind = result.errorKind
                var message = result.error
                do {
                    try db.inSavepoint {
                        for record in result.records { try record.store(in: db) }
                        for file in result.files {
                            try WorkLedger.recordArtifact(db, stage: name, key: result.key, path: file.path, bytes: file.bytes, sha256: file.sha256)
                        }
                        return .commit
                    }
                } catch {
                    status = .failed
                    kind = "record-rejected"
                    message = oneLine("the manifest refused this item's records: \(error)")
                }
                try WorkLedger.complete(db, stage: name, key: result.key, status: status,
                                        errorKind: kind, error: message, output: status == .failed ? nil : result.output, now: now)
                switch status {
                case .done: done += 1
                case .failed: failed += 1
                case .skipped: skipped += 1
                case .pending: break
                }
            }
            try WorkLedger.claim(db, stage: name, keys: claim, now: now)
            try RunLog.add(db, run: runID, claimed: claim.count, done: done, failed: failed, skipped: skipped)
            return (done, failed, skipped)
        }
    }

    // MARK: - Items

    /// Processes one item on a worker thread, turning any error into a failed result.
    private static func processOne(_ key: String, stage: any Stage, context: StageContext) -> ItemResult {
        let item = ItemContext(key: key, stageName: stage.name, stage: context)
        do {
            let outcome = try stage.process(item)
            return ItemResult(key: key, status: outcome.status, errorKind: outcome.reasonKind, error: outcome.reason,
                              output: commonOutput(item.publishedFiles.map(\.path)), records: outcome.records,
                              files: item.publishedFiles, folders: item.touchedFolders)
        } catch {
            return ItemResult(key: key, status: .failed, errorKind: errorKind(error), error: oneLine(error),
                              output: nil, records: [], files: [], folders: item.touchedFolders)
        }
    }

    /// The one file, or the deepest folder holding every file, an item published.
    static func commonOutput(_ paths: [String]) -> String? {
        guard let first = paths.first else { return nil }
        if paths.count == 1 { return first }
        var prefix = first.split(separator: "/").dropLast().map(String.init)
        for path in paths.dropFirst() {
            let parts = path.split(separator: "/").dropLast().map(String.init)
            var shared = 0
            while shared < min(prefix.count, parts.count) && prefix[shared] == parts[shared] { shared += 1 }
            prefix = Array(prefix.prefix(shared))
        }
        return prefix.isEmpty ? first : prefix.joined(separator: "/")
    }
}
