import Foundation
import TestSupport

/// Runs a reference script of scripts/interop with the first interpreter that imports what it
/// needs (TestSupport's `Python`); a missing interpreter or a failing script is a thrown error,
/// so the reference tests fail loudly instead of passing without a reference.
enum ReferenceScript {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `scripts/interop/<name>` with `arguments`; returns its output.
    static func run(_ name: String, importing modules: [String], _ arguments: [String]) throws -> String {
        let python = try Python.interpreter(importing: modules)
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/interop/\(name)").path
        let result = try ProcessRunner.run(python, [script] + arguments)
        let output = String(decoding: result.stdout, as: UTF8.self) + result.stderr
        guard result.status == 0 else { throw Failure(description: "\(name) exited with \(result.status): \(output)") }
        return output
    }
}
