import Foundation
import Testing
@testable import Pipeline
import TestSupport

/// A YAML alias bomb ("billion laughs") in a step's config grew without limit (issue 13, part 5):
/// anchors and aliases are refused with one line, before anything walks the expanded tree.
@Suite struct YAMLAliasTests {
    /// Nine levels of nine aliases each: 9^9 (387 million) leaves once expanded.
    static let bomb: String = {
        var lines = ["    config:", "      a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...8 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("      a\(level): &a\(level) [\(refs)]")
        }
        return "name: bomb\nsteps:\n  - stage: render\n    run: [cn-render]\n" + lines.joined(separator: "\n") + "\n"
    }()

    /// The parse runs on its own thread and is timed there: a start-based `.timeLimit` also
    /// counts the minutes a busy parallel suite leaves a test waiting for a thread, and fired on
    /// a 2-core CI machine although the parse itself took milliseconds.
    @Test func anAliasBombInAStepConfigIsRefusedQuickly() throws {
        let outcome = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let parser = Thread {
            let started = Date()
            do {
                _ = try PipelineFile.parse(Self.bomb, hash: "")
                outcome.set("parsed without error")
            } catch {
                outcome.set((error as? ConfigError)?.message ?? "\(error)", seconds: Date().timeIntervalSince(started))
            }
            done.signal()
        }
        parser.stackSize = 8 << 20
        parser.start()
        try #require(done.wait(timeout: .now() + 20) == .success, "the bomb was not refused within 20 s")
        let (message, seconds) = outcome.get()
        #expect(message.contains("anchors and aliases are not accepted"), "\(message)")
        #expect(seconds < 5, "refusing the bomb took \(seconds) s")
    }

    @Test func cnRunRefusesTheBombWithOneLine() throws {
        let folder = TestPaths.scratchFolder("alias-bomb")
        let file = folder.appendingPathComponent("bomb.yaml")
        try Self.bomb.write(to: file, atomically: true, encoding: .utf8)
        let child = try ChildProcess("cn-run", [file.path, "--workdir", folder.appendingPathComponent("w").path, "--dry-run"])
        let deadline = Date(timeIntervalSinceNow: 20)
        while child.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
        let result = child.wait()
        #expect(result.status == 1, "status \(result.status) (9 = killed after 20 s): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("anchors and aliases"), "\(result.stderr)")
    }

    @Test func aStageConfigWithAnAnchorIsRefused() {
        #expect(throws: ConfigError.self) {
            _ = try StageConfig.decode([String: [String]].self, yaml: "a: &x [1]\nb: *x\n")
        }
        #expect(throws: Never.self) { _ = try StageConfig.decode([String: Int].self, yaml: "a: 1\nb: 2\n") }
    }
}

/// The parser thread's message and duration, handed to the test under a lock.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var message = ""
    private var seconds = Double.infinity

    func set(_ message: String, seconds: Double = .infinity) {
        lock.lock(); defer { lock.unlock() }
        self.message = message
        self.seconds = seconds
    }

    func get() -> (String, Double) {
        lock.lock(); defer { lock.unlock() }
        return (message, seconds)
    }
}
