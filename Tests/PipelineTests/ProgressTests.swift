import Foundation
import Testing
import TestSupport

/// The progress bar: drawn on a terminal (a pseudo-terminal made by util-linux `script`), absent
/// from pipes and from CI logs (CI set), whatever the terminal.
@Suite struct ProgressTests {
    func run(onTerminal: Bool, ci: Bool) throws -> String {
        let workdir = TestPaths.scratchFolder("progress")
        let binary = TestPaths.productsFolder.appendingPathComponent("cn-test-stage").path
        let command = "\(binary) --workdir \(workdir.path) --items 50 --rounds 1"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var environment = ProcessInfo.processInfo.environment
        environment["CI"] = ci ? "true" : nil
        process.environment = environment
        process.arguments = onTerminal ? ["script", "-q", "-e", "-c", command, "/dev/null"] : ["sh", "-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }

    @Test func barOnTerminalOnly() throws {
        let terminal = try run(onTerminal: true, ci: false)
        #expect(terminal.contains("ETA") && terminal.contains("noise ["), "no progress bar on a terminal: \(terminal.prefix(300))")
        let pipe = try run(onTerminal: false, ci: false)
        #expect(!pipe.contains("ETA") && pipe.contains("noise: 50 done"))
        let ci = try run(onTerminal: true, ci: true)
        #expect(!ci.contains("ETA") && ci.contains("noise: 50 done"))
    }
}
