import Foundation

/// The Python interpreter of the interop checks: $CN_PYTHON, else the repository's .venv
/// (scripts/setup creates it with numpy, Pillow, webdataset and safetensors).
public enum Python {
    /// The interpreter path, or nil when none is installed.
    public static var interpreter: String? {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["CN_PYTHON"],
                          TestPaths.repositoryRoot.appendingPathComponent(".venv/bin/python").path]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a script under scripts/ with arguments; returns (status, stdout + stderr).
    /// Fails loudly (status 127 and a message) when there is no interpreter: never a silent pass.
    public static func run(script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let python = interpreter else {
            return (127, "no Python with numpy/webdataset found: run scripts/setup (creates .venv) or set CN_PYTHON")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestPaths.repositoryRoot.appendingPathComponent(script).path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
