import Foundation
import Synchronization
import Testing
@testable import Tensor

/// `ComputeThreads.forEachChunk` on the spinning `WorkerPool`: every chunk runs exactly once with
/// its fixed range, whether the region runs on the pool, nested inside another region, or from
/// several threads at once (the callers that find the pool busy take libdispatch).
@Suite("Worker pool") struct WorkerPoolTests {
    /// Runs one region over `count` items and returns, per item, how many times it was visited
    /// and by which chunk.
    private func visits(_ count: Int) -> (times: [Int], chunkOf: [Int]) {
        var times = [Int](repeating: 0, count: count), chunkOf = [Int](repeating: -1, count: count)
        times.withUnsafeMutableBufferPointer { tb in
            chunkOf.withUnsafeMutableBufferPointer { cb in
                let t = UncheckedSendable(tb.baseAddress!), c = UncheckedSendable(cb.baseAddress!)
                ComputeThreads.forEachChunk(count) { chunk, range in
                    for i in range {
                        t.value[i] += 1
                        c.value[i] = chunk
                    }
                }
            }
        }
        return (times, chunkOf)
    }

    /// The chunk each item must belong to: contiguous ranges, a pure function of (count, threads).
    private func expectedChunks(_ count: Int) -> [Int] {
        let chunks = ComputeThreads.chunkCount(count)
        return (0..<count).map { i in (0..<chunks).first { c in count * c / chunks <= i && i < count * (c + 1) / chunks }! }
    }

    @Test func poolRunsRegionsWhenIdle() {
        let ran = Atomic<Int>(0)
        let used = WorkerPool.shared.run(ComputeThreads.threadCount) { _ in ran.add(1, ordering: .relaxed) }
        if ComputeThreads.threadCount > 1 {
            // Another test's region may hold the pool at this moment; then nothing ran.
            #expect(ran.load(ordering: .relaxed) == (used ? ComputeThreads.threadCount : 0))
        } else {
            #expect(!used)
        }
    }

    @Test func everyItemOnceInItsChunk() {
        for count in [1, 2, 3, 7, 64, 1001] {
            for _ in 0..<200 {
                let v = visits(count)
                #expect(v.times == [Int](repeating: 1, count: count))
                #expect(v.chunkOf == expectedChunks(count))
            }
        }
    }

    @Test func nestedRegions() {
        var sums = [Int](repeating: 0, count: 8)
        sums.withUnsafeMutableBufferPointer { sb in
            let s = UncheckedSendable(sb.baseAddress!)
            ComputeThreads.forEachChunk(8) { _, outer in
                for o in outer {
                    let v = visits(100)
                    s.value[o] = v.times.reduce(0, +) + (v.chunkOf == expectedChunks(100) ? 0 : 1_000)
                }
            }
        }
        #expect(sums == [Int](repeating: 100, count: 8))
    }

    @Test func concurrentCallers() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 6) { caller in
            for round in 0..<300 {
                let count = 5 + (caller * 31 + round) % 200
                let v = visits(count)
                if v.times != [Int](repeating: 1, count: count) || v.chunkOf != expectedChunks(count) {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }
}
