import CorpusStages
import Datasets
import ObjaverseStages
import OpenImagesStages
import Pipeline

/// The settings type of every stage that reads a step's `config:`, so that `cn-run` checks the
/// whole pipeline file before it runs any step (fail fast: a typo or a 0 in the last step must
/// not surface after an hour of rendering).
enum StepSettings {
    /// Stage name -> the configuration type its executable decodes.
    static let types: [String: any StageConfiguration.Type] = [
        "ingest-openimages": ObjectFilterConfig.self,
        "extract": ExtractStepConfig.self,
        "synthesize": SynthesizeConfig.self,
        "render": RenderConfig.self,
        "compose": ComposeConfig.self,
        "caption": CaptionConfig.self,
        "shard": ShardConfig.self,
    ]

    /// Decodes and range-checks the `config:` of every step of `file`; a `config:` on a step
    /// whose stage reads none is an error too (it would be silently ignored).
    static func validate(_ file: PipelineFile) throws {
        for step in file.steps where !step.configYAML.isEmpty {
            guard let type = types[step.stage] else {
                let known = types.keys.sorted()
                throw ConfigError(message: "step '\(step.stage)': no stage of that name reads a `config:`"
                    + KeySuggestion.phrase(for: step.stage, in: known) + " (stages with settings: \(known.joined(separator: ", ")))")
            }
            _ = try StageConfig.decode(type, step: step.stage, yaml: step.configYAML)
        }
    }
}
