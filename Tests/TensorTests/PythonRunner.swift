import Foundation
import Testing
import TestSupport

/// Finds and runs the Python interpreter the interop checks use (TestSupport's `Python`):
/// the first that can import numpy and safetensors wins; when none can, `interpreter()` throws a readable error, so the
/// interop tests FAIL instead of passing silently.
enum PythonRunner {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func candidates() -> [String] { Python.candidates }

    static func interpreter(candidates list: [String] = candidates()) throws -> String {
        do {
            return try Python.interpreter(importing: ["numpy", "safetensors"], candidates: list)
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    /// Runs a process to completion, returning its exit status and combined output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try ProcessRunner.run(executable, arguments)
        return (result.status, String(decoding: result.stdout, as: UTF8.self) + result.stderr)
    }

    /// Runs a script under scripts/interop with the found interpreter; throws on a non-zero exit.
    static func runScript(_ name: String, _ arguments: [String]) throws -> String {
        let python = try interpreter()
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/interop/\(name)").path
        let (status, output) = try run(python, [script] + arguments)
        if status != 0 { throw Failure(description: "\(name) exited with \(status): \(output)") }
        return output
    }
}
