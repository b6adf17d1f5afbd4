import Foundation
import Testing
import TestSupport

/// Finds and runs the Python interpreter the interop checks use: $CN_PYTHON, else
/// <repo>/.venv/bin/python, else /work/main/.venv/bin/python. The first one that can import
/// numpy and safetensors wins; when none can, `interpreter()` throws a readable error, so the
/// interop tests FAIL instead of passing silently.
enum PythonRunner {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func candidates() -> [String] {
        var list: [String] = []
        if let env = ProcessInfo.processInfo.environment["CN_PYTHON"], !env.isEmpty { list.append(env) }
        list.append(TestPaths.repositoryRoot.appendingPathComponent(".venv/bin/python").path)
        list.append("/work/main/.venv/bin/python")
        return list
    }

    static func interpreter(candidates list: [String] = candidates()) throws -> String {
        var tried: [String] = []
        for path in list {
            if FileManager.default.isExecutableFile(atPath: path),
               (try? run(path, ["-c", "import numpy, safetensors"]))?.status == 0 {
                return path
            }
            tried.append(path)
        }
        throw Failure(description: "no Python with numpy and safetensors found (tried \(tried.joined(separator: ", "))); "
            + "set CN_PYTHON or run: python3 -m venv .venv && .venv/bin/pip install numpy safetensors")
    }

    /// Runs a process to completion, returning its exit status and combined output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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
