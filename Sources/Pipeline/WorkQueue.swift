import Foundation

/// A blocking multi-producer multi-consumer queue between the runner's coordinator and its
/// worker threads (a condition variable around an array).
final class BlockingQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false

    /// Appends elements and wakes waiting consumers.
    func push(_ elements: some Sequence<Element>) {
        condition.lock()
        items.append(contentsOf: elements)
        condition.broadcast()
        condition.unlock()
    }

    /// Takes the next element, waiting for one; nil once the queue is closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Takes everything queued now, waiting up to `timeout` seconds for at least `minimum` elements.
    func drain(minimum: Int, timeout: TimeInterval) -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while items.count - head < minimum && !closed {
            if !condition.wait(until: deadline) { break }
        }
        let taken = Array(items[head...])
        items.removeAll(keepingCapacity: true)
        head = 0
        return taken
    }

    /// Wakes every consumer; `pop` returns nil once the queue is empty.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
