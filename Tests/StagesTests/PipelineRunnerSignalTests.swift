import Foundation
import Testing
import TestSupport

/// cn-run stops at a step that dies by a signal, returns 128 + the signal and names it, so a log
/// says why a step ended (a CI run once showed only "exit status 134").
@Suite struct PipelineRunnerSignalTests {
    @Test func aStepKilledByASignalIsNamedAndStopsThePipeline() throws {
        let folder = TestPaths.scratchFolder("runner-signal")
        let marker = folder.appendingPathComponent("second-step-ran").path
        let pipeline = folder.appendingPathComponent("p.yaml")
        try """
        name: signal
        steps:
          - stage: crash
            common: false
            run: [sh, -c, "kill -KILL $$"]
          - stage: after
            common: false
            run: [touch, "\(marker)"]
        """.write(to: pipeline, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run("cn-run", [pipeline.path, "--workdir", folder.appendingPathComponent("w").path, "--progress", "never"])
        #expect(result.status == 137, "\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("step 'crash' was killed by signal 9 (Killed)"), "\(result.stdout)\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the step after a crashed one must not run")
    }
}
