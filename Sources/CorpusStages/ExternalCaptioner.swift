import Foundation
import Support
import Synchronization

/// Runs a user's captioner command (caption step `command:`) in batches: it gets JSON lines
/// {"id", "image"} on stdin and must print {"id", "caption"} lines on stdout within the time
/// limit. A worker that needs a caption runs one batch of the next uncaptioned subjects (in key
/// order) and shares the results; a subject the command did not caption fails with the reason.
final class ExternalCaptioner: Sendable {
    let command: [String]
    let batchSize: Int
    let timeLimit: Double

    private struct State {
        var order: [String] = []
        var position: [String: Int] = [:]
        var results: [String: Result<String, CaptionError>] = [:]
        var claimed: Set<String> = []
    }
    private let state = Mutex(State())

    init(command: [String], batchSize: Int, timeLimit: Double) {
        self.command = command
        self.batchSize = max(1, batchSize)
        self.timeLimit = timeLimit
    }

    /// Records the order in which subjects are batched.
    func prepare(order: [String]) {
        state.withLock { s in
            s.order = order
            s.position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        }
    }

    /// The caption of `key`, running a batch that includes it when needed; `resolve` gives the
    /// absolute image path of any subject key.
    func caption(key: String, image: String, resolve: (String) throws -> String) throws -> String {
        let batch: [String] = state.withLock { s in
            if s.results[key] != nil { return [] }
            var members = [key]
            var index = (s.position[key] ?? s.order.count) + 1
            while members.count < batchSize && index < s.order.count {
                let next = s.order[index]
                if s.results[next] == nil && !s.claimed.contains(next) { members.append(next) }
                index += 1
            }
            s.claimed.formUnion(members)
            return members
        }
        if !batch.isEmpty {
            var inputs: [(String, String)] = [(key, image)]
            for other in batch.dropFirst() { if let path = try? resolve(other) { inputs.append((other, path)) } }
            let outcome = run(inputs)
            state.withLock { s in
                for (id, _) in inputs { s.results[id] = outcome[id] ?? .failure(CaptionError(.captionerNoOutput, message: "the captioner printed no caption for \(id)")) }
                s.claimed.subtract(batch)
            }
        }
        let result = state.withLock { $0.results[key] }
        switch result {
        case .success(let text): return text
        case .failure(let error): throw error
        case nil: throw CaptionError(.captionerNoOutput, message: "the captioner printed no caption for \(key)")
        }
    }

    /// Runs the command once over a batch, returning a result per id it answered (or a failure
    /// for every id when the command itself failed or timed out).
    private func run(_ inputs: [(id: String, image: String)]) -> [String: Result<String, CaptionError>] {
        func failAll(_ reason: CaptionError.Reason, _ message: String) -> [String: Result<String, CaptionError>] {
            Dictionary(uniqueKeysWithValues: inputs.map { ($0.id, .failure(CaptionError(reason, message: message))) })
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            return failAll(.captionerFailed, "cannot start captioner \(command.joined(separator: " ")): \(error.localizedDescription)")
        }
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: deadline)
        var request = ""
        for input in inputs {
            let object: [String: String] = ["id": input.id, "image": input.image]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                request += String(decoding: data, as: UTF8.self) + "\n"
            }
        }
        stdin.fileHandleForWriting.write(Data(request.utf8))
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        if process.terminationReason == .uncaughtSignal {
            return failAll(.captionerTimeout, "the captioner did not finish a batch of \(inputs.count) within \(Int(timeLimit)) s")
        }
        if process.terminationStatus != 0 {
            return failAll(.captionerFailed, "the captioner exited with status \(process.terminationStatus)")
        }
        var results: [String: Result<String, CaptionError>] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let id = object["id"] as? String else { continue }
            if let text = object["caption"] as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty {
                results[id] = .success(oneLine(text))
            } else {
                results[id] = .failure(CaptionError(.captionerEmpty, message: "the captioner returned an empty caption for \(id)"))
            }
        }
        return results
    }
}
