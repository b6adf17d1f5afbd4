import ArgumentParser
import Pipeline

/// Which of a pipeline's helper steps (`common: false`, e.g. the fixtures that build sources)
/// `cn-run` runs: all steps, only the helpers (built once into `--shared` before a cluster array),
/// or every step but the helpers (the array's tasks, reading what the helpers built).
enum HelperSteps: String, ExpressibleByArgument, CaseIterable {
    /// Helper and stage steps alike (the default).
    case run
    /// Only the helper steps.
    case only
    /// Every step except the helpers.
    case skip

    /// The steps this choice keeps, in order.
    func select(_ steps: [PipelineFile.Step]) -> [PipelineFile.Step] {
        switch self {
        case .run: steps
        case .only: steps.filter { !$0.takesCommonFlags }
        case .skip: steps.filter(\.takesCommonFlags)
        }
    }
}
