import Foundation

/// Runs the project's executables as child processes, as users and `cn-run` do.
public final class ChildProcess {
    /// The running process.
    public let process = Process()
    private let errorPipe = Pipe()
    private let outputPipe = Pipe()

    /// Starts `executable` (a product of this build) with arguments.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = TestPaths.productsFolder.appendingPathComponent(executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardError = errorPipe
        process.standardOutput = outputPipe
        try process.run()
    }

    /// Waits for the end and returns (status, stdout, stderr).
    @discardableResult
    public func wait() -> (status: Int32, stdout: String, stderr: String) {
        let out = outputPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Runs an executable to completion.
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess(executable, arguments).wait()
    }
}

/// Runs a command in a folder, returning its exit status.
@discardableResult
public func run(_ arguments: [String], in folder: URL) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = folder
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
