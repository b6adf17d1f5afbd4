import Foundation

/// One background thread (a serial dispatch queue) that runs jobs over a writer's batches (or hash
/// chunks) in the order they were submitted, so hashing and writing a shard overlap filling it.
/// A semaphore counts the batches this worker is done with: the filling thread takes one before
/// it refills a batch (or queues a chunk), so a batch is never refilled while the worker still
/// reads it and the queue never holds more than the worker's share.
final class OrderedWorker: @unchecked Sendable {
    private let queue: DispatchQueue
    private let done: DispatchSemaphore

    /// A worker that starts with `free` batches ready for the filling thread (the batches it owns,
    /// less the one the filling thread holds). The semaphore starts at zero and is raised, so
    /// libdispatch never sees it end below its initial value, whichever batch is held at the end.
    init(label: String, free: Int) {
        queue = DispatchQueue(label: label)
        done = DispatchSemaphore(value: 0)
        for _ in 0..<free { done.signal() }
    }

    /// Queues `job`; its batch counts as done once the job returns.
    func submit(_ job: @escaping @Sendable () -> Void) {
        queue.async { [done] in
            job()
            done.signal()
        }
    }

    /// Waits until the oldest submitted batch is done (the next one to refill).
    func acquire() { done.wait() }

    /// Waits until every queued job has run.
    func drain() { queue.sync {} }
}
