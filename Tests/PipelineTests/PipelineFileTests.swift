import Testing
@testable import Pipeline
import TestSupport
import Foundation
import Manifest

@Suite struct PipelineFileTests {
    let text = """
        name: demo
        seed: 7
        steps:
          - stage: render
            run: [cn-render, --views, "4"]
            config:
              views: 4
              resolution: 128
          - stage: shard
            run: cn-shard --format webdataset
        """

    struct RenderConfig: Decodable {
        var views = 12
        var resolution = 256
    }

    @Test func parsesStepsAndConfig() throws {
        let file = try PipelineFile.parse(text, hash: "h")
        #expect(file.name == "demo" && file.seed == 7)
        #expect(file.steps.map(\.stage) == ["render", "shard"])
        #expect(file.steps[0].command == ["cn-render", "--views", "4"])
        #expect(file.steps[1].command == ["cn-shard", "--format", "webdataset"])
        let context = StageContext(workdir: .init(fileURLWithPath: "/tmp"), seed: 0,
                                   configYAML: file.configYAML(forStage: "render"), manifest: try .open(workdir: TestPaths.scratchFolder("config")))
        let config = try context.config(RenderConfig.self)
        #expect(config.views == 4 && config.resolution == 128)
        #expect(file.configYAML(forStage: "missing") == "")
    }

    @Test func isDecodableAndKeepsEachStepConfigForItsStage() throws {
        let file = try StageConfig.decode(PipelineFile.self, yaml: """
            name: typed
            seed: 3
            steps:
              - stage: caption
                run: [cn-caption]
                common: false
                config:
                  command: [python3, "-c", "print('a: b')"]
                  batch_size: 4
                  label: "007"
                  empty: ~
            """)
        #expect(file.name == "typed" && file.seed == 3 && file.steps.count == 1)
        #expect(file.steps[0].takesCommonFlags == false && file.steps[0].command == ["cn-caption"])
        struct Caption: Decodable, Equatable { var command: [String]; var batch_size: Int; var label: String; var empty: String? }
        let config = try StageConfig.decode(Caption.self, yaml: file.steps[0].configYAML)
        #expect(config == Caption(command: ["python3", "-c", "print('a: b')"], batch_size: 4, label: "007", empty: nil))
    }

    @Test func rejectsBadFilesWithReadableErrors() {
        #expect(throws: ConfigError.self) { try PipelineFile.parse("- a\n- b", hash: "") }
        #expect(throws: ConfigError.self) { try PipelineFile.parse("seed: -3\nsteps: []", hash: "") }
        #expect(throws: ConfigError.self) { try PipelineFile.parse("steps:\n  - run: x", hash: "") }
    }
}
