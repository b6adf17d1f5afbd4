import Foundation
import TestSupport

/// Reads the repository's Swift sources for the architecture checks.
enum SourceScan {
    /// Every `.swift` file below a repository folder, as (repository-relative path, text).
    static func swiftFiles(under folder: String) throws -> [(path: String, text: String)] {
        let root = TestPaths.repositoryRoot.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var files: [(String, String)] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".swift"), !relative.contains(".build/") else { continue }
            let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
            files.append((folder + "/" + relative, text))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// The lines of a file that are code (not `//` comments), with their 1-based numbers.
    static func codeLines(_ text: String) -> [(number: Int, line: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("//") ? nil : (index + 1, String(line))
        }
    }
}

extension SourceScan {
    /// The text of Package.swift.
    static func packageManifest() throws -> String {
        try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
    }
}
