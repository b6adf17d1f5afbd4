import Foundation
import TestSupport

/// Finds and runs the Python interpreter of the interop checks (TestSupport's `Python`): the
/// first that imports numpy, PIL and webdataset wins.
enum PythonRunner {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static var candidates: [String] { Python.candidates }

    static func interpreter(candidates: [String] = PythonRunner.candidates) throws -> String {
        do {
            return try Python.interpreter(importing: ["numpy", "PIL", "webdataset"], candidates: candidates)
        } catch {
            throw Failure(description: "\(error); CN_PYTHON must name a python with numpy, pillow and webdataset")
        }
    }

    /// Runs a script under scripts/interop with arguments; returns (status, stdout, stderr).
    static func runScript(_ name: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let script = TestPaths.repositoryRoot.path + "/scripts/interop/" + name
        return try run(executable: try interpreter(), [script] + arguments)
    }

    static func run(executable: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let result = try ProcessRunner.run(executable, arguments)
        return (result.status, String(decoding: result.stdout, as: UTF8.self), result.stderr)
    }
}
