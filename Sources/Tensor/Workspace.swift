import Foundation

/// Scratch memory reused between ops and between training steps: im2col column matrices,
/// col2im gradients and attention score blocks come from here instead of fresh allocations.
/// A slot grows to the largest size ever asked for and is then reused, so after the first step
/// a training loop allocates no scratch at all.
///
/// Slots are per thread chunk (`chunk` from `ComputeThreads.forEachChunk`), so parallel chunks
/// never share a buffer. A workspace is not thread-safe: ops use `Workspace.current`, one per
/// calling thread, and fetch their buffers before entering a parallel region (see `prepare`).
/// Scratch contents never outlive one op call.
public final class Workspace: @unchecked Sendable {
    private var slots: [String: UnsafeMutablePointer<Float>] = [:]
    private var capacities: [String: Int] = [:]

    /// The calling thread's workspace (created on first use, kept for the thread's lifetime), so
    /// two threads running ops at once (e.g. parallel tests) never share scratch.
    public static var current: Workspace {
        let dict = Thread.current.threadDictionary
        if let w = dict[key] as? Workspace { return w }
        let w = Workspace()
        dict[key] = w
        return w
    }

    private static let key = "cn.tensor.workspace"

    /// Creates an empty workspace.
    public init() {}

    deinit {
        for (_, p) in slots { p.deallocate() }
    }

    /// A buffer of at least `count` floats for (slot, chunk); its contents are undefined.
    public func buffer(_ slot: String, chunk: Int = 0, count: Int) -> UnsafeMutablePointer<Float> {
        let key = chunk == 0 ? slot : "\(slot)#\(chunk)"
        if let p = slots[key], let cap = capacities[key], cap >= count { return p }
        slots[key]?.deallocate()
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        slots[key] = p
        capacities[key] = max(count, 1)
        return p
    }

    /// Buffers for chunks 0..<chunks of one slot, fetched up front so parallel code only reads them.
    func prepare(_ slot: String, chunks: Int, count: Int) -> [UncheckedSendable<UnsafeMutablePointer<Float>>] {
        (0..<chunks).map { UncheckedSendable(buffer(slot, chunk: $0, count: count)) }
    }

    /// The total bytes held (for the benchmark's memory line).
    public var bytesHeld: Int { capacities.values.reduce(0, +) * 4 }
}
