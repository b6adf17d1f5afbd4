import Synchronization

/// A thread-safe integer counter.
public final class LockedCounter: Sendable {
    private let value = Mutex<Int>(0)

    /// Creates a counter at zero.
    public init() {}

    /// Adds one and returns the new value.
    @discardableResult
    public func increment(by step: Int = 1) -> Int {
        value.withLock { $0 += step; return $0 }
    }

    /// The current value.
    public var current: Int { value.withLock { $0 } }
}
