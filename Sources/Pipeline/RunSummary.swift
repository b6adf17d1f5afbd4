import Foundation
/// What one stage run did, for the closing line and the exit status.
public struct RunSummary: Sendable {
    /// The stage name.
    public var stage: String
    /// The `run` row id.
    public var runID: Int64 = 0
    /// Items the stage listed in this partition.
    public var listed = 0
    /// Of those, how many were new to the ledger.
    public var newlyQueued = 0
    /// Items this run set out to process (pending, plus failed with --retry-failed, capped by --limit).
    public var selected = 0
    /// Items finished by this run, by status.
    public var done = 0, failed = 0, skipped = 0
    /// Items of this partition still pending when the run ended.
    public var leftPending = 0
    /// Orphaned temporary files removed at start.
    public var removedOrphans = 0
    /// Wall time.
    public var seconds = 0.0
    /// The stop signal received, 0 when none.
    public var signal: Int32 = 0
    /// Whether --max-failure-rate was exceeded.
    public var failureRateExceeded = false
    /// Items failed as `crashed` at start (in flight at `maxCrashes` deaths of the stage).
    public var crashed = 0
    /// Items handed back to `pending` unfinished when a stop signal's grace ran out.
    public var released = 0

    /// Creates an empty summary.
    public init(stage: String) { self.stage = stage }

    /// failed / (done + failed) for this run.
    public var failureRate: Double {
        done + failed == 0 ? 0 : Double(failed) / Double(done + failed)
    }

    /// 0 when the stage ran; 1 when --max-failure-rate was exceeded; 128 + signal when stopped by one.
    public var exitStatus: Int32 {
        if signal != 0 { return 128 + signal }
        return failureRateExceeded ? 1 : 0
    }

    /// The one-line summary printed at the end of every run.
    public var line: String {
        let rate = seconds > 0 ? Double(done + failed + skipped) / seconds : 0
        var text = "\(stage): \(done) done, \(failed) failed, \(skipped) skipped of \(selected) selected"
        text += " (\(listed) listed, \(leftPending) still pending) in " + String(format: "%.1fs, %.1f items/s", seconds, rate)
        if crashed > 0 { text += "; \(crashed) item(s) failed as crashed (in flight at repeated deaths of the stage)" }
        if signal != 0 { text += "; stopped by signal \(signal), run again to resume" }
        if released > 0 { text += "; \(released) unfinished item(s) released to pending" }
        if failureRateExceeded { text += "; failure rate " + String(format: "%.1f%%", failureRate * 100) + " is over --max-failure-rate" }
        return text
    }
}
