#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-item time limit and cancellation token that long loops check (`check()`), so that a
/// loader stuck in a hostile file stops when the item's `time_limit` passes or the process was
/// asked to stop (SIGTERM), instead of only between views. Copies share the same expiry; the
/// clock is CLOCK_MONOTONIC (POSIX clock_gettime), about 20 ns a check.
public struct Deadline: Sendable, Equatable {
    /// The limit in seconds this deadline was made with; nil when there is none.
    public let seconds: Double?
    private let expiresAt: UInt64
    private let cancelled: (@Sendable () -> Bool)?

    /// No limit and no cancellation: `check()` never throws.
    public static let none = Deadline(seconds: nil)

    /// A deadline `seconds` from now (nil or a non-finite value: none); `cancelled` is polled on
    /// every check and ends the work early when it returns true (e.g. after SIGTERM).
    public init(seconds: Double?, cancelled: (@Sendable () -> Bool)? = nil) {
        if let seconds, seconds.isFinite, seconds >= 0 {
            self.seconds = seconds
            let nanoseconds = min(seconds * 1e9, 1e18)
            expiresAt = Self.now() &+ UInt64(nanoseconds)
        } else {
            self.seconds = nil
            expiresAt = .max
        }
        self.cancelled = cancelled
    }

    /// Throws `DeadlineExceeded` once the time is up or cancellation was requested.
    @inline(__always)
    public func check() throws(DeadlineExceeded) {
        if expiresAt == .max && cancelled == nil { return }
        if let cancelled, cancelled() { throw DeadlineExceeded(cause: .cancelled, seconds: seconds) }
        if expiresAt != .max && Self.now() >= expiresAt { throw DeadlineExceeded(cause: .timeLimit, seconds: seconds) }
    }

    /// Two deadlines are equal when they expire at the same instant (the cancellation hook is not compared).
    public static func == (a: Deadline, b: Deadline) -> Bool { a.expiresAt == b.expiresAt && a.seconds == b.seconds }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}

/// Work stopped by a `Deadline`: kind `time-limit` when the item's limit passed, `interrupted`
/// when the process was asked to stop.
public struct DeadlineExceeded: DescribedError, Equatable {
    /// Why the work stopped.
    public enum Cause: Sendable, Equatable {
        /// The time limit passed.
        case timeLimit
        /// Cancellation was requested (a stop signal).
        case cancelled
    }

    /// Why the work stopped.
    public let cause: Cause
    /// The limit in seconds, when there was one.
    public let seconds: Double?

    public var kind: String { cause == .timeLimit ? "time-limit" : "interrupted" }
    public var message: String {
        switch cause {
        case .timeLimit: "the item took over its time limit of \(seconds.map { "\($0)" } ?? "?") s (stopped mid-load)"
        case .cancelled: "stopped by a signal before the item finished; rerun with --retry-failed to redo it"
        }
    }
}
