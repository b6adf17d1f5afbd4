import Foundation

extension TrainingPreset {
    /// Where named presets (`--preset cpu-tiny`) are looked up: the folder a user gave, else
    /// `$CN_TRAIN_PRESETS`, else `./Pipelines/train`, else the repository's `Pipelines/train`
    /// found beside the running executable (up to four folders up), as cn-train and cn-eval do.
    public static func folder(explicit: String?) -> String {
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment["CN_TRAIN_PRESETS"] { return env }
        if FileManager.default.fileExists(atPath: "Pipelines/train") { return "Pipelines/train" }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("Pipelines/train").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        return "Pipelines/train"
    }
}
