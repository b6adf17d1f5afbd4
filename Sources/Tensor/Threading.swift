import COpenBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Who owns the cores: this module does. OpenBLAS is pinned to one thread
/// (`openblas_set_num_threads(1)`) and every parallel region is ours: conv2d splits the batch,
/// attention splits (batch x heads), big linears split their rows, and element-wise loops split
/// their range, each chunk calling single-threaded `cblas_sgemm` on its own slice. This avoids
/// OpenBLAS worker threads spinning against our threads (its threads busy-wait after a call)
/// and keeps results bit-identical run to run: chunking depends only on `threadCount`, never on
/// timing, and reductions across chunks are summed in chunk order. Regions run on `WorkerPool`'s
/// persistent, briefly spinning threads (libdispatch when the pool is busy).
public enum ComputeThreads {
    /// The number of worker threads parallel loops use (2 on the project machines).
    public static let threadCount: Int = {
        openblas_set_num_threads(1)
        return max(1, min(System.coreCount, 8))
    }()

    /// Makes sure OpenBLAS is pinned to one thread; call once before timing anything.
    public static func configure() { _ = threadCount }

    /// Runs `body(chunk, range)` over `0..<count` split into at most `threadCount` contiguous
    /// chunks, in parallel when `count >= minimumPerThread * 2`; chunk boundaries are a pure
    /// function of (count, threadCount), so work division is deterministic.
    public static func forEachChunk(_ count: Int, minimumPerThread: Int = 1,
                                    _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        let threads = threadCount
        let chunks = count >= 2 * max(1, minimumPerThread) ? min(threads, count) : 1
        if chunks <= 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        let chunkBody = { (c: Int) in
            let lo = count * c / chunks
            let hi = count * (c + 1) / chunks
            if hi > lo { body(c, lo..<hi) }
        }
        if WorkerPool.shared.run(chunks, chunkBody) { return }
        withoutActuallyEscaping(chunkBody) { escaping in
            let box = UncheckedSendable(escaping)
            DispatchQueue.concurrentPerform(iterations: chunks) { box.value($0) }
        }
    }

    /// The number of chunks `forEachChunk` will use for this count.
    public static func chunkCount(_ count: Int, minimumPerThread: Int = 1) -> Int {
        count >= 2 * max(1, minimumPerThread) ? min(threadCount, count) : 1
    }
}

/// Carries a value (typically a buffer pointer) into `ComputeThreads` chunks; safe because each
/// chunk writes a disjoint range of the buffers it is handed.
public struct UncheckedSendable<T>: @unchecked Sendable {
    /// The carried value.
    public let value: T
    /// Wraps `value`.
    public init(_ value: T) { self.value = value }
}

/// The machine's online core count.
enum System {
    static var coreCount: Int {
        #if os(Linux)
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? Int(n) : 1
        #else
        return 2
        #endif
    }
}
