import Foundation
import Testing
import TestSupport

/// A stage pointed at a workdir without a manifest (a mistyped --workdir) stops with one line and
/// exit status 1, and creates nothing; ingest stages and `cn-run` still start new workdirs.
@Suite struct MissingManifestTests {
    @Test func aStageRefusesAWorkdirWithoutAManifest() throws {
        let workdir = TestPaths.scratchFolder("noManifest").appendingPathComponent("typo")
        for executable in ["cn-render", "cn-caption", "cn-extract"] {
            let result = try ChildProcess.run(executable, ["--workdir", workdir.path, "--progress", "never"])
            #expect(result.status == 1, "\(executable): \(result.stdout)")
            #expect(result.stderr.contains("no manifest at") && result.stderr.split(separator: "\n").count == 1, "\(executable): \(result.stderr)")
            #expect(!result.stdout.contains("selected"), "\(executable) reported a run: \(result.stdout)")
        }
        #expect(!FileManager.default.fileExists(atPath: workdir.path), "a refused stage created the workdir")
    }

    @Test func ingestAndCnRunCreateTheirWorkdir() throws {
        let root = TestPaths.scratchFolder("noManifestRoot")
        let ingested = root.appendingPathComponent("ingest")
        let ingest = try ChildProcess.run("cn-ingest", ["objaverse", "--root", TestPaths.assimpModels.appendingPathComponent("glTF2/BoxTextured-glTF-Binary").path,
                                                        "--workdir", ingested.path, "--progress", "never"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(FileManager.default.fileExists(atPath: ingested.appendingPathComponent("manifest.sqlite").path))

        let pipeline = root.appendingPathComponent("p.yaml").path
        try """
            name: fresh
            steps:
              - stage: ingest-objaverse
                run: [cn-ingest, objaverse, --root, "\(TestPaths.assimpModels.appendingPathComponent("glTF2/BoxTextured-glTF-Binary").path)"]

            """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let ran = root.appendingPathComponent("run/nested")
        let run = try ChildProcess.run("cn-run", [pipeline, "--workdir", ran.path, "--progress", "never"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: ran.appendingPathComponent("manifest.sqlite").path))
    }
}
