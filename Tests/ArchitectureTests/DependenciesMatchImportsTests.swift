import Foundation
import Testing

/// Architecture rule 8 (issue 14): with MemberImportVisibility on, a target's dependencies in
/// Package.swift are exactly the project modules and packages its files import.
@Suite struct DependenciesMatchImportsTests {
    /// Package products by the module name files import.
    static let products = ["GRDB": "grdb", "ArgumentParser": "argumentParser", "Yams": "Yams", "ZIPFoundation": "ZIPFoundation"]
    /// System and toolchain modules, never declared.
    static let system: Set<String> = ["Foundation", "Dispatch", "Glibc", "Darwin", "Synchronization", "Testing", "XCTest", "FoundationEssentials"]
    /// Targets owned by another change (issue 14 leaves them alone).
    static let excluded: Set<String> = ["Tensor", "TensorTests", "cn-bench-tensor"]

    /// Each target's declared dependencies (quoted names, and the `grdb` / `argumentParser` constants).
    static func declared() throws -> [String: (folder: String, dependencies: Set<String>)] {
        let text = try SourceScan.packageManifest()
        let declaration = try Regex(#"\.(target|executableTarget|testTarget)\(\s*name:\s*"([^"]+)"\s*(?:,\s*dependencies:\s*\[([^\]]*)\])?([^\n]*path:\s*"([^"]+)")?"#)
        var result: [String: (String, Set<String>)] = [:]
        for match in text.matches(of: declaration) {
            let kind = String(match.output[1].substring ?? "")
            let name = String(match.output[2].substring ?? "")
            let list = String(match.output[3].substring ?? "")
            var names = Set(list.matches(of: try Regex(#""([^"]+)""#)).compactMap { $0.output[1].substring.map(String.init) })
            for constant in ["grdb", "argumentParser"] where list.range(of: "\\b\(constant)\\b", options: .regularExpression) != nil {
                names.insert(constant)
            }
            let rest = text[match.range.upperBound...].prefix { $0 != "." || true }.prefix(300)
            let explicit = String(rest).firstMatch(of: try Regex(#"^[^\n]*\n?\s*path:\s*"([^"]+)""#))?.output[1].substring.map(String.init)
            let folder = match.output[5].substring.map(String.init) ?? explicit ?? (kind == "testTarget" ? "Tests/\(name)" : "Sources/\(name)")
            result[name] = (folder, names)
        }
        return result
    }

    @Test func everyTargetDependsOnExactlyWhatItImports() throws {
        let targets = try Self.declared()
        let projectModules = Set(targets.keys)
        var problems: [String] = []
        for (name, target) in targets.sorted(by: { $0.key < $1.key }) where !Self.excluded.contains(name) {
            var imported = Set<String>()
            for file in try SourceScan.swiftFiles(under: target.folder) {
                for (_, line) in SourceScan.codeLines(file.text) {
                    let words = line.split(separator: " ").map(String.init)
                    guard let index = words.firstIndex(of: "import"), index + 1 < words.count,
                          words[..<index].allSatisfy({ $0.hasPrefix("@") }) else { continue }
                    let module = words[index + 1]
                    if Self.system.contains(module) || module == name { continue }
                    imported.insert(Self.products[module] ?? module)
                }
            }
            // C shims are imported by name only where used; system libraries are dependencies without imports.
            let declared = target.dependencies.filter { projectModules.contains($0) || Self.products.values.contains($0) }
            let missing = imported.subtracting(declared).filter { projectModules.contains($0) || Self.products.values.contains($0) }
            let unused = declared.subtracting(imported)
            if !missing.isEmpty { problems.append("\(name) imports \(missing.sorted()) without depending on them") }
            if !unused.isEmpty { problems.append("\(name) depends on \(unused.sorted()) without importing them") }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "; "))")
    }
}
