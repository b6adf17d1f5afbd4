import Foundation
import Testing
@testable import Pipeline
import TestSupport

/// Config values that trapped stages (issue 13, part 3) stop them at start instead: exit 1 and
/// one line naming the step, the key and the allowed range; `cn-run` checks every step first.
@Suite struct ConfigValidationTests {
    /// Writes a one-step pipeline whose `step` has the config line `config`.
    func pipeline(step: String, run: String, config: String, name: String) throws -> URL {
        let folder = TestPaths.scratchFolder("range-\(name)")
        let file = folder.appendingPathComponent("p.yaml")
        try "name: t\nsteps:\n  - stage: \(step)\n    run: [\(run)]\n    config:\n      \(config)\n"
            .write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Expects exit status 1 and exactly one stderr line holding every part.
    func expectOneLine(_ result: (status: Int32, stdout: String, stderr: String), _ parts: [String]) {
        #expect(result.status == 1, "status \(result.status): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        for part in parts { #expect(result.stderr.contains(part), "'\(part)' not in: \(result.stderr)") }
    }

    /// (executable and its leading arguments, step, config line, the key and range the message must name).
    static let outOfRange: [([String], String, String, [String])] = [
        (["cn-compose"], "compose", "size: 0", ["size", "16...4096", "(got 0)"]),
        (["cn-compose"], "compose", "scale_min: .nan", ["scale_min", "0.01...1", "(got nan)"]),
        (["cn-compose"], "compose", "scale_max: -0.5", ["scale_max", "(got -0.5)"]),
        (["cn-extract"], "extract", "targetSize: 0", ["targetSize", "16...4096"]),
        (["cn-extract"], "extract", "squareMargin: -1", ["squareMargin", "0...10"]),
        (["cn-extract"], "extract", "referenceLongSide: 0", ["referenceLongSide", "1...256"]),
        (["cn-shard"], "shard", "max_samples: 0", ["max_samples", "1...100000000"]),
        (["cn-shard"], "shard", "max_bytes: -1", ["max_bytes", "(got -1)"]),
        (["cn-shard"], "shard", "train: .nan", ["train", "0...1"]),
        (["cn-render"], "render", "views: 0", ["views", "1...1000"]),
        (["cn-render"], "render", "time_limit: .inf", ["time_limit", "above 0", "(got inf)"]),
        (["cn-render"], "render", "max_triangles: -3", ["max_triangles", "(got -3)"]),
        (["cn-synthesize"], "synthesize", "canvas: -5", ["canvas", "16...4096"]),
        (["cn-synthesize"], "synthesize", "guidance: .nan", ["guidance", "(got nan)"]),
        (["cn-synthesize"], "synthesize", "time_limit: 0", ["time_limit", "above 0"]),
        (["cn-caption"], "caption", "batch_size: 0", ["batch_size", "1...100000"]),
        (["cn-ingest", "openimages", "--root", "/nonexistent"], "ingest-openimages", "minBoxArea: .nan", ["minBoxArea", "0...1"]),
    ]

    @Test(arguments: 0..<outOfRange.count)
    func aStageRefusesAValueOutOfRangeAtStart(_ index: Int) throws {
        let (command, step, config, parts) = Self.outOfRange[index]
        let file = try pipeline(step: step, run: command[0], config: config, name: "\(step)-\(index)")
        let workdir = file.deletingLastPathComponent().appendingPathComponent("w").path
        let result = try ChildProcess(command[0], Array(command.dropFirst())
            + ["--workdir", workdir, "--config", file.path, "--progress", "never"]).wait()
        expectOneLine(result, ["step '\(step)'"] + parts)
    }

    @Test func cnRunChecksEveryStepBeforeRunningAny() throws {
        let folder = TestPaths.scratchFolder("range-cn-run")
        let file = folder.appendingPathComponent("p.yaml")
        let workdir = folder.appendingPathComponent("w")
        try """
            name: t
            steps:
              - stage: fixture-objaverse
                common: false
                run: [cn-fixture, objaverse, --out, "{workdir}/sources"]
              - stage: shard
                run: [cn-shard]
                config: {max_samples: 0}
            """.write(to: file, atomically: true, encoding: .utf8)
        let result = try ChildProcess("cn-run", [file.path, "--workdir", workdir.path, "--progress", "never"]).wait()
        expectOneLine(result, ["step 'shard'", "max_samples", "1...100000000", "(got 0)"])
        #expect(!FileManager.default.fileExists(atPath: workdir.appendingPathComponent("sources").path),
                "the first step ran before the last step's settings were checked")
    }

    @Test func cnRunNamesTheKeyMeantForATypo() throws {
        let folder = TestPaths.scratchFolder("range-typo")
        let file = folder.appendingPathComponent("p.yaml")
        try "name: t\nsteps:\n  - stage: render\n    run: [cn-render]\n    config: {veiws: 4}\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try ChildProcess("cn-run", [file.path, "--workdir", folder.appendingPathComponent("w").path]).wait()
        expectOneLine(result, ["step 'render'", "unknown key 'veiws'", "did you mean 'views'?"])

        try "name: t\nsteps:\n  - stage: rendr\n    run: [cn-render]\n    config: {views: 4}\n".write(to: file, atomically: true, encoding: .utf8)
        let stage = try ChildProcess("cn-run", [file.path, "--workdir", folder.appendingPathComponent("w").path]).wait()
        expectOneLine(stage, ["step 'rendr'", "did you mean 'render'?"])
    }

    @Test func unknownTopLevelAndStepKeysAreErrorsWithTheKeyMeant() {
        func message(_ text: String) -> String {
            do { _ = try PipelineFile.parse(text, hash: ""); return "" } catch { return (error as? ConfigError)?.message ?? "\(error)" }
        }
        let top = message("name: t\nsed: 7\nsteps: []\n")
        #expect(top.contains("unknown top-level key 'sed'") && top.contains("did you mean 'seed'?"), "\(top)")
        let step = message("name: t\nsteps:\n  - stage: render\n    run: [cn-render]\n    confg: {views: 4}\n")
        #expect(step.contains("step 'render': unknown key 'confg'") && step.contains("did you mean 'config'?"), "\(step)")
        let far = message("name: t\nwhatever: 1\nsteps: []\n")
        #expect(far.contains("unknown top-level key 'whatever'") && !far.contains("did you mean"), "\(far)")
    }

    @Test func aClosedSetValueTypoNamesTheValueMeant() {
        enum Backend: String, ConfigChoice { case render, diffusion }
        struct Settings: Decodable { var backend: Backend }
        #expect {
            _ = try StageConfig.decode(Settings.self, yaml: "backend: difusion")
        } throws: { error in
            "\(error)".contains("did you mean 'diffusion'?") || ((error as? ConfigError)?.message.contains("did you mean 'diffusion'?") ?? false)
        }
    }

    @Test func suggestionsCountATranspositionAsOneEdit() {
        #expect(KeySuggestion.distance("veiws", "views") == 1)
        #expect(KeySuggestion.distance("max_sampels", "max_samples") == 1)
        #expect(KeySuggestion.nearest(to: "reslution", in: ["views", "resolution"]) == "resolution")
        #expect(KeySuggestion.nearest(to: "colour", in: ["views", "resolution"]) == nil)
    }
}
