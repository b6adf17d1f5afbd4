import Foundation
import Synchronization

/// The persistent threads behind `ComputeThreads.forEachChunk`: `threadCount - 1` workers that,
/// after each parallel region, keep polling for the next one for a short while before they sleep
/// (OpenMP's active wait policy, which PyTorch's CPU kernels run with). A training step opens
/// hundreds of short regions; waking a sleeping libdispatch worker for each (a futex round trip
/// and a context switch) put that latency on every op's critical path.
///
/// Chunks are claimed dynamically (an atomic counter), so a caller whose worker was descheduled
/// runs the remaining chunks itself; which thread runs a chunk never changes what the chunk
/// computes, so results stay independent of timing. One region runs at a time: a caller that
/// finds the pool busy (a nested region, or another thread's ops) gets `false` from `run` and
/// falls back to `DispatchQueue.concurrentPerform`.
final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool, sized by `ComputeThreads.threadCount`.
    static let shared = WorkerPool(workers: ComputeThreads.threadCount - 1)

    /// How long an idle worker polls for the next region before sleeping.
    private static let pollNanoseconds: UInt64 = 1_000_000

    private let workers: Int
    private let busy = Atomic<Bool>(false)
    private let generation = Atomic<Int>(0)
    /// The region's generation (low 31 bits) in the high half and its next unclaimed chunk in the
    /// low half: a claim is one compare-and-swap that also proves the region is still current,
    /// so a thread that wakes up late can never claim a chunk of a region that has moved on.
    private let claim = Atomic<Int>(0)
    private let finishedChunks = Atomic<Int>(0)
    private let wake = NSCondition()
    private var sleepers = 0
    // Written by the region's caller before it publishes `claim` (releasing); read by a thread
    // only after it loaded that `claim` (acquiring).
    private let chunks = Atomic<Int>(0)
    private var body: UncheckedSendable<(Int) -> Void>?

    private init(workers: Int) {
        self.workers = workers
        for index in 0..<workers {
            let thread = Thread { [self] in workerLoop() }
            thread.name = "cn.tensor.worker.\(index + 1)"
            thread.start()
        }
    }

    /// Runs `body(chunk)` for every chunk in 0..<count on the caller and the workers and returns
    /// true once all have finished; returns false without running anything when the pool is busy
    /// or has no workers.
    func run(_ count: Int, _ body: (Int) -> Void) -> Bool {
        guard workers > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { escaping in
            self.body = UncheckedSendable(escaping)
            chunks.store(count, ordering: .relaxed)
            finishedChunks.store(0, ordering: .relaxed)
            let region = generation.load(ordering: .relaxed) + 1
            claim.store(Self.tag(region), ordering: .releasing)
            generation.store(region, ordering: .releasing)
            wake.lock()
            if sleepers > 0 { wake.broadcast() }
            wake.unlock()
            runClaimedChunks(of: region)
            var spins = 0
            while finishedChunks.load(ordering: .acquiring) < count {
                spins += 1
                if spins & 15 == 0 { sched_yield() }
            }
            self.body = nil
        }
        return true
    }

    /// `claim`'s value when `region` starts: its generation tag, chunk 0 next.
    private static func tag(_ region: Int) -> Int { (region & 0x7fff_ffff) << 32 }

    /// Claims and runs chunks of `region` until none are left or the region is over.
    private func runClaimedChunks(of region: Int) {
        let tag = Self.tag(region)
        while true {
            var state = claim.load(ordering: .acquiring)
            while true {
                guard state & ~0xffff_ffff == tag, state & 0xffff_ffff < chunks.load(ordering: .relaxed) else { return }
                let (exchanged, original) = claim.compareExchange(expected: state, desired: state + 1, ordering: .acquiringAndReleasing)
                if exchanged { break }
                state = original
            }
            runChunk(state & 0xffff_ffff)
            finishedChunks.add(1, ordering: .releasing)
        }
    }

    /// Calls the body in a frame of its own, so this thread's reference to the closure is gone
    /// before the chunk counts as finished (`withoutActuallyEscaping` checks that on return).
    @inline(never)
    private func runChunk(_ chunk: Int) {
        body!.value(chunk)
    }

    private func workerLoop() {
        var seen = generation.load(ordering: .acquiring)
        while true {
            let started = DispatchTime.now().uptimeNanoseconds
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                // Yielding now and then hands the core back at once when this thread shares it
                // with the caller (another process holding the other core).
                if spins & 15 == 0 { sched_yield() }
                if spins & 255 == 0, DispatchTime.now().uptimeNanoseconds - started > Self.pollNanoseconds {
                    sleep(whileGenerationIs: seen)
                }
            }
            seen = generation.load(ordering: .acquiring)
            runClaimedChunks(of: seen)
        }
    }

    private func sleep(whileGenerationIs seen: Int) {
        wake.lock()
        sleepers += 1
        while generation.load(ordering: .acquiring) == seen { wake.wait() }
        sleepers -= 1
        wake.unlock()
    }
}
