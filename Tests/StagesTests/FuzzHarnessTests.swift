import Foundation
import Testing
import TestSupport

/// The fuzz harness in bounded time: one planted attack per class of issue 13, then seeded
/// mutations of GLB, glTF, OBJ, PLY, CSV, JSON Lines, zip and YAML inputs run through the real
/// executables, for a fixed budget. `scripts/fuzz/run` asserts no process dies by a signal or
/// hangs, no file appears outside the workdir, and every item ends done, failed or skipped with a
/// one-line reason; it exits 1 on any finding. The longer run is `scripts/fuzz/run SECONDS`.
@Suite(.serialized) struct FuzzHarnessTests {
    @Test func plantedAttacksAndShortMutationRunLeaveNoFinding() throws {
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/fuzz/run").path
        let keep = TestPaths.scratchFolder("fuzz")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "5", "--quick", "--seed", "13", "--bin", TestPaths.productsFolder.path, "--keep", keep.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let started = Date()
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(text)")
        #expect(text.contains("no findings"), "\(text)")
        #expect(text.contains("planted attacks: 7 cases"), "\(text)")
        // Bounded: seven planted cases (about 10 s of CPU) and 5 s of mutations; under 60 s on a
        // quiet machine, the bound here leaves room for a machine shared by several builds.
        #expect(Date().timeIntervalSince(started) < 120, "\(text)")
    }
}
