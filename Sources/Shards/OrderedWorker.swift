import Foundation

/// One background thread (a serial dispatch queue) that runs jobs over a writer's batches in the
/// order they were submitted, so hashing and writing a shard overlap filling its next batches.
/// A semaphore counts the batches this worker is done with: the filling thread takes one before
/// it refills a batch, so a batch is never refilled while the worker still reads it.
final class OrderedWorker: @unchecked Sendable {
    private let queue: DispatchQueue
    private let done: DispatchSemaphore

    /// A worker over `batches` batches, the first of which the filling thread holds.
    init(label: String, batches: Int) {
        queue = DispatchQueue(label: label)
        done = DispatchSemaphore(value: batches - 1)
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
