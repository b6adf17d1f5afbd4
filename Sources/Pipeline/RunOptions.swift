import Support

/// How a stage run is carried out: the shared flags of every stage, parsed once in one option
/// group as swift-argument-parser's `@OptionGroup` examples share them.
public struct RunOptions: Sendable {
    /// Worker threads (`--jobs`).
    public var jobs: Int = 2
    /// The share of items this process owns (`--partition I/N`).
    public var partition = Partition.whole
    /// Process at most this many items (`--limit`).
    public var limit: Int?
    /// Also retry items that failed before (`--retry-failed`).
    public var retryFailed = false
    /// The run seed (`--seed`).
    public var seed: UInt64 = 0
    /// Exit 1 when failed / (done + failed) of this run exceeds this (`--max-failure-rate`).
    public var maxFailureRate: Double?
    /// When to draw a progress bar.
    public var progress = ProgressMode.auto
    /// An item in flight when its stage process died this many times is failed as `crashed` at
    /// the next start (`--max-crashes`), so a poison item cannot block the others.
    public var maxCrashes = 2
    /// Seconds the runner waits for in-flight items after SIGINT / SIGTERM before it hands them
    /// back to `pending` and exits (a stuck item must not hold a stop for minutes).
    public var stopGrace = 5.0

    /// Creates options with the defaults above.
    public init() {}
}

/// A stable share of the items: those whose key hashes to `index` modulo `count`.
public struct Partition: Sendable, Equatable, CustomStringConvertible {
    /// This process's share, 0-based.
    public let index: Int
    /// How many shares there are.
    public let count: Int

    /// Every item (0/1).
    public static let whole = Partition(index: 0, count: 1)

    /// Creates a partition; `index` must be below `count`.
    public init(index: Int, count: Int) {
        precondition(count > 0 && index >= 0 && index < count, "invalid partition \(index)/\(count)")
        self.index = index
        self.count = count
    }

    /// Parses "I/N" (e.g. "0/3"), with 0 <= I < N.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n > 0, i >= 0, i < n else { return nil }
        self.init(index: i, count: n)
    }

    /// Whether an item belongs to this partition.
    public func contains(_ key: String) -> Bool {
        count == 1 || StableHash.partition(of: key, count: count) == index
    }

    public var description: String { "\(index)/\(count)" }
}

/// When the runner draws a progress bar.
public enum ProgressMode: String, Sendable, CaseIterable {
    /// On a terminal only, and never when the CI environment variable is set.
    case auto
    /// Always (even into a pipe).
    case always
    /// Never.
    case never
}

