import Foundation
import Pipeline
import Support

/// Runs a user's captioner command (caption step `command:`) through the shared
/// `ExternalBatchCommand`: it gets JSON lines {"id", "image"} on stdin and must print
/// {"id", "caption"} lines on stdout within the time limit; a subject the command did not
/// caption fails with the reason.
final class ExternalCaptioner: Sendable {
    private let runner: ExternalBatchCommand

    init(command: [String], batchSize: Int, timeLimit: Double) {
        runner = ExternalBatchCommand(command: command, batchSize: batchSize, timeLimit: timeLimit, label: "the captioner")
    }

    /// Records the order in which subjects are batched.
    func prepare(order: [String]) { runner.prepare(order: order) }

    /// The caption of `key`, running a batch that includes it when needed; `resolve` gives the
    /// absolute image path of any subject key.
    func caption(key: String, image: String, resolve: (String) throws -> String) throws -> String {
        let object: [String: Any]
        do {
            object = try runner.response(key: key) { id in ["id": id, "image": id == key ? image : try resolve(id)] }
        } catch let failure as ExternalBatchCommand.Failure {
            switch failure.reason {
            case .failed: throw CaptionError(.captionerFailed, message: failure.message)
            case .timeout: throw CaptionError(.captionerTimeout, message: failure.message)
            case .noOutput: throw CaptionError(.captionerNoOutput, message: failure.message)
            }
        }
        guard let text = object["caption"] as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CaptionError(.captionerEmpty, message: "the captioner returned an empty caption for \(key)")
        }
        return oneLine(text)
    }
}
