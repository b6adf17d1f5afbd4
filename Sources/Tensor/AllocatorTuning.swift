#if canImport(Glibc)
import Glibc
#endif

/// glibc malloc tuning for training loops. By default glibc serves blocks above its mmap threshold
/// with fresh mappings and trims freed heap tops back to the kernel, so every step's activations
/// (megabytes each) are page-faulted and zeroed by the kernel again (about 3% of a cn-train step
/// in `perf`). `keepFreedMemory()` raises both thresholds (`mallopt` M_MMAP_THRESHOLD,
/// M_TRIM_THRESHOLD, glibc malloc(3)) so freed activations are reused by the next step; peak
/// memory is unchanged, the process simply keeps what it already needed. Executables that
/// train call it once at start; it does nothing off glibc.
public enum AllocatorTuning {
    /// Keeps freed memory in the process for reuse (see the type's documentation).
    public static func keepFreedMemory() {
        #if canImport(Glibc)
        // mallopt is not in Swift's Glibc module (malloc.h); look it up in the loaded libc.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 32 << 20)  // glibc's largest allowed value on 64-bit
        _ = mallopt(trimThreshold, Int32.max)
        #endif
    }
}
