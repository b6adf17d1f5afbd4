import Testing
import Tensor

/// The core type chosen from /proc/cpuinfo flags when OpenBLAS falls back to its generic kernels.
@Suite("BLAS kernels")
struct BLASKernelsTests {
    @Test func coreTypeFollowsTheFlags() {
        let avx512 = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512bw avx512vl\n"
        let avx2 = "flags\t\t: fpu sse2 avx avx2 fma\n"
        let old = "flags\t\t: fpu sse2 sse3 avx\n"
        #expect(BLASKernels.detectedCoreType(cpuinfo: avx512) == "SkylakeX")
        #expect(BLASKernels.detectedCoreType(cpuinfo: avx2) == "Haswell")
        #expect(BLASKernels.detectedCoreType(cpuinfo: old) == nil)
        #expect(!BLASKernels.coreName.isEmpty)
    }
}
