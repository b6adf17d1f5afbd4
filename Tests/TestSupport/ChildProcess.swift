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

    /// The last `count` lines of `text` (a child's stderr), so a failure message in a CI log shows
    /// the cause (a crash report, the one-line reason) even when the output before it is long.
    public static func tail(_ text: String, lines count: Int = 40) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.suffix(count).joined(separator: "\n")
        return lines.count > count ? "[... \(lines.count - count) earlier lines]\n" + kept : kept
    }

    /// A failure message for a finished child: its exit status and the tails of stdout and stderr.
    public static func report(_ result: (status: Int32, stdout: String, stderr: String)) -> String {
        "exit status \(result.status)\n--- stdout (tail) ---\n\(tail(result.stdout, lines: 10))\n--- stderr (tail) ---\n\(tail(result.stderr))"
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
