import Foundation

/// A comparable picture of a workdir: every output file's bytes and the rows of chosen manifest
/// tables (read with the real `sqlite3` shell), minus columns that legitimately differ between
/// runs (timestamps, attempts).
public struct WorkdirSnapshot: Equatable {
    /// Workdir-relative path -> file bytes, for every file except the manifest and locks.
    public let files: [String: Data]
    /// Table -> its rows as text, in primary-key order.
    public let tables: [String: [String]]

    /// Reads a workdir.
    public init(_ workdir: URL, tables queries: [String: String]) throws {
        var files: [String: Data] = [:]
        let manager = FileManager.default
        if let walker = manager.enumerator(atPath: workdir.path) {
            while let relative = walker.nextObject() as? String {
                if relative.hasPrefix("manifest.sqlite") || relative.hasPrefix(".locks") { continue }
                var isFolder: ObjCBool = false
                let path = workdir.appendingPathComponent(relative).path
                if manager.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
                    files[relative] = manager.contents(atPath: path)
                }
            }
        }
        self.files = files
        var tables: [String: [String]] = [:]
        for (name, sql) in queries {
            tables[name] = try Self.sqlite(workdir.appendingPathComponent("manifest.sqlite").path, sql)
        }
        self.tables = tables
    }

    /// Runs SQL through the `sqlite3` shell (read-only) and returns its output lines; throws when it fails.
    public static func sqlite(_ database: String, _ sql: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-readonly", "-bail", database]
        let pipe = Pipe(), errors = Pipe(), input = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data((sql + "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw ShellError(message: "sqlite3 failed: " + String(decoding: message, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// A reference tool that exited with an error.
public struct ShellError: Error, CustomStringConvertible {
    /// What the tool said.
    public let description: String
    init(message: String) { description = message }
}
