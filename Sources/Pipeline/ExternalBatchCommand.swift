import Foundation
import Support
import Synchronization

/// Runs a user's command (a step's `command:`) in batches over JSON lines: it gets one request
/// object per line on stdin and must print one response object per line, each with the request's
/// "id", on stdout within the time limit. A worker that needs an answer runs one batch of the
/// next unanswered items (in the order given to `prepare`) and shares the answers; an item the
/// command did not answer fails with the reason. Used by the external captioner (`cn-caption`)
/// and the external view-synthesis backend (`cn-synthesize`).
public final class ExternalBatchCommand: Sendable {
    /// Why a batch gave no answer for an item.
    public struct Failure: Error, Sendable, Equatable {
        /// The failure classes: the command could not start or exited non-zero, it ran past the
        /// time limit, or it printed no line for the item.
        public enum Reason: Sendable, Equatable { case failed, timeout, noOutput }
        /// Which class.
        public let reason: Reason
        /// One line naming what happened.
        public let message: String
    }

    /// The argv (run through /usr/bin/env).
    public let command: [String]
    /// Items per run of the command.
    public let batchSize: Int
    /// Seconds one batch may take.
    public let timeLimit: Double
    /// What the command is called in messages ("the captioner").
    public let label: String

    private struct State {
        var order: [String] = []
        var position: [String: Int] = [:]
        var results: [String: Result<String, Failure>] = [:]
        var claimed: Set<String> = []
    }
    private let state = Mutex(State())

    /// A runner of `command`, `batchSize` items per run, `timeLimit` seconds per run.
    public init(command: [String], batchSize: Int, timeLimit: Double, label: String) {
        self.command = command
        self.batchSize = max(1, batchSize)
        self.timeLimit = timeLimit
        self.label = label
    }

    /// Records the order in which items are batched.
    public func prepare(order: [String]) {
        state.withLock { s in
            s.order = order
            s.position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        }
    }

    /// The response object of `key`, running a batch that includes it when needed (or waiting for
    /// the batch of another worker that holds it). `request`
    /// gives the request object of any key (its own first; an error for it is rethrown, a
    /// batch-mate whose request cannot be built is left for its own turn).
    public func response(key: String, request: (String) throws -> [String: any Sendable]) throws -> [String: Any] {
        let own = try Self.line(request(key))
        // An item already in another worker's batch waits for that batch's answer.
        var claim: [String]?
        while claim == nil {
            claim = state.withLock { s -> [String]? in
                if s.results[key] != nil { return [] }
                if s.claimed.contains(key) { return nil }
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
            if claim == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let batch = claim ?? []
        if !batch.isEmpty {
            var inputs: [(id: String, line: String)] = [(key, own)]
            for other in batch.dropFirst() { if let line = try? Self.line(request(other)) { inputs.append((other, line)) } }
            let outcome = run(inputs)
            state.withLock { s in
                for (id, _) in inputs { s.results[id] = outcome[id] ?? .failure(noOutput(id)) }
                s.claimed.subtract(batch)
            }
        }
        switch state.withLock({ $0.results[key] }) {
        case .success(let text):
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw noOutput(key) }
            return object
        case .failure(let error): throw error
        case nil: throw noOutput(key)
        }
    }

    private func noOutput(_ id: String) -> Failure { Failure(reason: .noOutput, message: "\(label) printed no answer for \(id)") }

    private static func line(_ object: [String: any Sendable]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Runs the command once over a batch, returning the response line of every id it answered
    /// (or a failure for every id when the command itself failed or timed out).
    private func run(_ inputs: [(id: String, line: String)]) -> [String: Result<String, Failure>] {
        func failAll(_ reason: Failure.Reason, _ message: String) -> [String: Result<String, Failure>] {
            Dictionary(uniqueKeysWithValues: inputs.map { ($0.id, .failure(Failure(reason: reason, message: message))) })
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            return failAll(.failed, "cannot start \(label) \(command.joined(separator: " ")): \(error.localizedDescription)")
        }
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: deadline)
        let request = inputs.map { $0.line + "\n" }.joined()
        stdin.fileHandleForWriting.write(Data(request.utf8))
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        if process.terminationReason == .uncaughtSignal {
            return failAll(.timeout, "\(label) did not finish a batch of \(inputs.count) within \(Int(timeLimit)) s")
        }
        if process.terminationStatus != 0 {
            return failAll(.failed, "\(label) exited with status \(process.terminationStatus)")
        }
        var results: [String: Result<String, Failure>] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["id"] as? String else { continue }
            results[id] = .success(String(line))
        }
        return results
    }
}
