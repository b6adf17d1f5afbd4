import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr (done, failed, skipped, rate, ETA), redrawn at most ten
/// times a second on a terminal, and silent in pipes and CI logs (the CI variable is set).
public final class ProgressReporter {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast

    /// Creates a reporter for `total` items; `mode` decides whether it draws.
    public init(label: String, total: Int, mode: ProgressMode) {
        self.label = label
        self.total = total
        switch mode {
        case .always: enabled = true
        case .never: enabled = false
        case .auto: enabled = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"] == nil
        }
    }

    /// Redraws the bar when enough time has passed (or when `force`).
    public func update(done: Int, failed: Int, skipped: Int, force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let finished = done + failed + skipped
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(finished) / elapsed
        let fraction = total > 0 ? Double(finished) / Double(total) : 1
        let width = 24
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let eta = rate > 0 ? Self.clock(Double(total - finished) / rate) : "--:--"
        let line = "\(label) [\(bar)] \(finished)/\(total)  done \(done)  failed \(failed)  skipped \(skipped)  "
            + String(format: "%.1f/s", rate) + "  ETA \(eta)"
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    /// Clears the bar so the summary line that follows starts on a clean line.
    public func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    /// Formats seconds as m:ss or h:mm:ss.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
