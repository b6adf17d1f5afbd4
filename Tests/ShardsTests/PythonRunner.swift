import Foundation
import TestSupport

/// Finds and runs the Python interpreter of the interop checks: $CN_PYTHON, else
/// <repo root>/.venv/bin/python, else /work/main/.venv/bin/python; the first that imports
/// numpy, PIL and webdataset wins.
enum PythonRunner {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func interpreter() throws -> String {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["CN_PYTHON"], !env.isEmpty { candidates.append(env) }
        candidates.append(TestPaths.repositoryRoot.path + "/.venv/bin/python")
        candidates.append("/work/main/.venv/bin/python")
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if let result = try? run(executable: candidate, ["-c", "import numpy, PIL, webdataset"]), result.status == 0 {
                return candidate
            }
        }
        throw Failure(description: "no usable Python for the interop checks: tried \(candidates.joined(separator: ", ")); "
            + "set CN_PYTHON to a python with numpy, pillow and webdataset (e.g. python3 -m venv .venv && .venv/bin/pip install numpy pillow webdataset)")
    }

    /// Runs a script under scripts/interop with arguments; returns (status, stdout, stderr).
    static func runScript(_ name: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let script = TestPaths.repositoryRoot.path + "/scripts/interop/" + name
        return try run(executable: try interpreter(), [script] + arguments)
    }

    static func run(executable: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
