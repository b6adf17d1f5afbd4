import COpenBLAS
import Foundation

/// OpenBLAS's kernel choice. Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) picks its kernels from the
/// CPU model; on CPUs it does not know (virtual Xeons among them) it falls back to the generic SSE3
/// "Prescott" kernels, 3-4x slower than the AVX2 / AVX-512 ones the CPU can run. The core type can
/// only be chosen before the library loads (`OPENBLAS_CORETYPE`, read by its constructor), so an
/// executable that does heavy math calls `useDetectedKernels()` first thing: when OpenBLAS fell
/// back, the CPU has AVX2 + FMA, and the user set no `OPENBLAS_CORETYPE`, it re-executes itself
/// with the core type its CPU flags name (SkylakeX for AVX-512, else Haswell). A user's own
/// `OPENBLAS_CORETYPE` is always respected.
public enum BLASKernels {
    /// The kernel set OpenBLAS is using (e.g. "Prescott", "Haswell", "SkylakeX").
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// The core type this CPU's flags support, or nil when it has no AVX2 + FMA.
    public static func detectedCoreType(cpuinfo: String) -> String? {
        guard let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// Re-executes the process with the detected core type when OpenBLAS fell back to Prescott
    /// (see the type's documentation); returns normally when nothing needs doing.
    public static func useDetectedKernels() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["CN_BLAS_REEXEC"] == nil,
              coreName == "Prescott",
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let core = detectedCoreType(cpuinfo: cpuinfo) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("CN_BLAS_REEXEC", "1", 1)
        var arguments = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv("/proc/self/exe", &arguments)
        // execv returns only on failure: go on with the generic kernels.
    }
}
