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

    @Test(.timeLimit(.minutes(1))) func anAliasBombInAStepConfigIsRefusedQuickly() throws {
        let started = Date()
        #expect {
            _ = try PipelineFile.parse(Self.bomb, hash: "")
        } throws: { error in
            ((error as? ConfigError)?.message ?? "").contains("anchors and aliases are not accepted")
        }
        #expect(Date().timeIntervalSince(started) < 5)
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
