import Foundation

/// The Python interpreter of the interop checks: $CN_PYTHON, else the repository's .venv
/// (scripts/setup creates it with numpy, Pillow, webdataset and safetensors). Tests that need it
/// fail with a message saying how to get it: they never pass silently without it.
public enum Python {
    /// A missing interpreter or module, with what to do.
    public struct Unavailable: Error, CustomStringConvertible {
        /// The message.
        public let description: String
    }

    /// Where interpreters are looked for, in order.
    public static var candidates: [String] {
        var list: [String] = []
        if let env = ProcessInfo.processInfo.environment["CN_PYTHON"], !env.isEmpty { list.append(env) }
        list.append(TestPaths.repositoryRoot.appendingPathComponent(".venv/bin/python").path)
        return list
    }

    /// The first candidate that can import every module of `modules`.
    public static func interpreter(importing modules: [String], candidates list: [String] = candidates) throws -> String {
        for path in list where FileManager.default.isExecutableFile(atPath: path) {
            if let result = try? ProcessRunner.run(path, ["-c", "import " + modules.joined(separator: ", ")]), result.status == 0 {
                return path
            }
        }
        throw Unavailable(description: "no Python that imports \(modules.joined(separator: ", ")) (tried \(list.joined(separator: ", "))); "
            + "run scripts/setup (it creates .venv) or set CN_PYTHON")
    }

    /// The interpreter path, or nil when none is installed.
    public static var interpreter: String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a script of the repository (path relative to its root) with arguments; returns
    /// (status, stdout + stderr), or status 127 and a message when there is no interpreter.
    public static func run(script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let python = interpreter else {
            return (127, "no Python found: run scripts/setup (creates .venv) or set CN_PYTHON")
        }
        let result = try ProcessRunner.run(python, [TestPaths.repositoryRoot.appendingPathComponent(script).path] + arguments)
        return (result.status, String(decoding: result.stdout, as: UTF8.self) + result.stderr)
    }
}

/// Runs a reference tool (djpeg, cjpeg, python, blender ...) to completion.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` (and `stdin` when given); returns exit status, stdout and
    /// stderr. Stderr goes through a file so that neither pipe can fill up and block the child.
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("cn-tool-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errPath.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errPath)
        defer { try? errHandle.close(); try? FileManager.default.removeItem(at: errPath) }
        process.standardError = errHandle
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            let writer = input.fileHandleForWriting
            Thread { writer.write(stdin); try? writer.close() }.start()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = (try? Data(contentsOf: errPath)) ?? Data()
        return (process.terminationStatus, outData, String(decoding: errData, as: UTF8.self))
    }
}
