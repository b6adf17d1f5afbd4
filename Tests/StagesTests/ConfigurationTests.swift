import Datasets
import Foundation
import ObjaverseStages
import OpenImagesStages
import Pipeline
import Testing
import TestSupport

/// A typo in a pipeline YAML stops the stage with exit status 1 and one line naming the step,
/// the key and what is accepted, instead of running with defaults (issue 14).
@Suite struct ConfigurationErrorTests {
    /// Runs `executable` with a pipeline whose `step` has `config`, on a fresh workdir.
    func run(_ executable: [String], step: String, config: String) throws -> (status: Int32, stderr: String) {
        let folder = TestPaths.scratchFolder("config-\(step)")
        let pipeline = folder.appendingPathComponent("p.yaml")
        try "name: t\nsteps:\n  - stage: \(step)\n    run: [\(executable[0])]\n    config:\n      \(config)\n"
            .write(to: pipeline, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(executable[0], Array(executable.dropFirst())
            + ["--workdir", folder.appendingPathComponent("w").path, "--config", pipeline.path, "--progress", "never"])
        return (result.status, result.stderr)
    }

    func expectOneLine(_ result: (status: Int32, stderr: String), containing parts: [String]) {
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        for part in parts { #expect(result.stderr.contains(part), "\(part) not in: \(result.stderr)") }
    }

    @Test func anUnknownKeyNamesTheStepTheKeyAndTheAcceptedKeys() throws {
        let result = try run(["cn-render"], step: "render", config: "veiws: 12")
        expectOneLine(result, containing: ["step 'render'", "unknown key 'veiws'", RenderConfig.acceptedKeys.joined(separator: ", ")])
    }

    @Test func aValueOutsideAClosedSetNamesTheKeyAndTheAcceptedValues() throws {
        let result = try run(["cn-synthesize"], step: "synthesize", config: "backend: difusion")
        expectOneLine(result, containing: ["step 'synthesize'", "backend", "'difusion'", SynthesisBackendName.acceptedValues])
        let cameras = try run(["cn-render"], step: "render", config: "cameras: orbit")
        expectOneLine(cameras, containing: ["step 'render'", "cameras", "'orbit'", "random, zero123-cube, ring"])
        let framing = try run(["cn-extract"], step: "extract", config: "targetFraming: squre")
        expectOneLine(framing, containing: ["step 'extract'", "targetFraming", "'squre'", "square, resize"])
    }

    @Test func aValueOfTheWrongTypeNamesTheKey() throws {
        let result = try run(["cn-render"], step: "render", config: "views: twelve")
        expectOneLine(result, containing: ["step 'render'", "views", "integer"])
        let shard = try run(["cn-shard"], step: "shard", config: "max_sampels: 8")
        expectOneLine(shard, containing: ["step 'shard'", "unknown key 'max_sampels'", "max_samples"])
    }

    @Test func everyStepConfigurationRejectsUnknownKeysInProcess() throws {
        func rejects<T: StageConfiguration>(_ type: T.Type, _ step: String) -> Bool {
            (try? StageConfig.decode(type, step: step, yaml: "no_such_key: 1")) == nil
        }
        #expect(rejects(RenderConfig.self, "render"))
        #expect(rejects(SynthesizeConfig.self, "synthesize"))
        #expect(rejects(ExtractStepConfig.self, "extract"))
        #expect(rejects(ObjectFilterConfig.self, "ingest-openimages"))
        // Every accepted key is accepted, and the defaults decode from nothing.
        #expect(throws: Never.self) { _ = try StageConfig.decode(ExtractStepConfig.self, step: "extract", yaml: "pngCompressionLevel: 1\ntargetFraming: resize") }
        #expect(throws: Never.self) { _ = try StageConfig.decode(RenderConfig.self, step: "render", yaml: "") }
    }

    @Test func theEffectiveConfigurationIsStoredWithTheRun() throws {
        let folder = TestPaths.scratchFolder("config-stored")
        let pipeline = folder.appendingPathComponent("p.yaml")
        try "name: t\nsteps:\n  - stage: ingest-objaverse\n    run: [cn-ingest]\n".write(to: pipeline, atomically: true, encoding: .utf8)
        let models = folder.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        let workdir = folder.appendingPathComponent("w")
        let filter = try ChildProcess.run("cn-ingest", ["openimages", "--root", models.path, "--workdir", workdir.path, "--config", pipeline.path])
        #expect(filter.status == 1)  // no annotation files: the stage cannot run, but its run row holds the settings
        let stored = try WorkdirSnapshot.sqlite(workdir.appendingPathComponent("manifest.sqlite").path, "SELECT config FROM run").joined()
        #expect(stored.contains("\"ingest-openimages\":{"), "\(stored)")
        #expect(stored.contains("\"minBoxArea\":0.02"), "\(stored)")
    }
}

/// Every closed set of values a command line takes is an enum whose `--help` lists its values.
@Suite struct ClosedSetHelpTests {
    func help(_ arguments: [String]) throws -> String {
        let result = try ChildProcess.run(arguments[0], Array(arguments.dropFirst()) + ["--help"])
        #expect(result.status == 0)
        return result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    func expectValues(_ command: [String], option: String, _ values: [String]) throws {
        let text = try help(command)
        #expect(text.contains("\(option) <"), "\(command) --help has no \(option)")
        #expect(text.contains("values: " + values.joined(separator: ", ")), "\(command) --help does not list \(values): \(text)")
    }

    @Test func stageOptionsListTheirValues() throws {
        try expectValues(["cn-render"], option: "--cameras", CameraMode.allCases.map(\.rawValue))
        try expectValues(["cn-synthesize"], option: "--backend", SynthesisBackendName.allCases.map(\.rawValue))
        try expectValues(["cn-shard"], option: "--format", ["webdataset", "customnet", "zero123"])
        try expectValues(["cn-ingest", "openimages"], option: "--split", ["train", "validation", "test"])
    }

    @Test func progressListsItsValuesInEveryStageAndInCnRun() throws {
        let commands = [["cn-ingest", "objaverse"], ["cn-ingest", "openimages"], ["cn-render"], ["cn-extract"], ["cn-synthesize"],
                        ["cn-compose"], ["cn-caption"], ["cn-shard"], ["cn-run"]]
        for command in commands {
            try expectValues(command, option: "--progress", ProgressMode.allCases.map(\.rawValue))
        }
    }

    @Test func manifestOutputFormatsListTheirValues() throws {
        for subcommand in ["query", "failures", "export"] {
            try expectValues(["cn-manifest", subcommand], option: "--format", ["table", "json", "jsonl", "csv"])
        }
    }
}
