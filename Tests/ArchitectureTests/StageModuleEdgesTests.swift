import Foundation
import Testing

/// Architecture rule 5 (issue 14): a stage module (a target named `*Stages`) builds on the
/// libraries, never on another stage module, in Package.swift and in its imports; code two
/// branches share lives in a library (Imaging, Fixtures, Shards ...).
@Suite struct StageModuleEdgesTests {
    /// Every target of Package.swift with its dependency names, read from the manifest's text.
    static func targets() throws -> [String: [String]] {
        let text = try SourceScan.packageManifest()
        var result: [String: [String]] = [:]
        let declaration = try Regex(#"\.(?:target|executableTarget|testTarget)\(\s*name:\s*"([^"]+)"\s*(?:,\s*dependencies:\s*\[([^\]]*)\])?"#)
        for match in text.matches(of: declaration) {
            guard let name = match.output[1].substring.map(String.init) else { continue }
            let list = match.output[2].substring.map(String.init) ?? ""
            result[name] = list.matches(of: try Regex(#""([^"]+)""#)).compactMap { $0.output[1].substring.map(String.init) }
        }
        return result
    }

    static func isStageModule(_ name: String) -> Bool { name.hasSuffix("Stages") }

    @Test func packageManifestHasNoEdgeBetweenStageModules() throws {
        let targets = try Self.targets()
        let stages = targets.keys.filter(Self.isStageModule).sorted()
        #expect(stages == ["CorpusStages", "ObjaverseStages", "OpenImagesStages"], "stage modules: \(stages)")
        for stage in stages {
            let siblings = (targets[stage] ?? []).filter(Self.isStageModule)
            #expect(siblings.isEmpty, "\(stage) depends on \(siblings)")
        }
    }

    @Test func noStageModuleImportsAnother() throws {
        var offenders: [String] = []
        for file in try SourceScan.swiftFiles(under: "Sources") {
            let module = file.path.split(separator: "/")[1]
            guard Self.isStageModule(String(module)) else { continue }
            for (number, line) in SourceScan.codeLines(file.text) {
                let words = line.split(separator: " ")
                guard let index = words.firstIndex(of: "import"), index + 1 < words.count else { continue }
                let imported = String(words[index + 1])
                if Self.isStageModule(imported) && imported != module { offenders.append("\(file.path):\(number) imports \(imported)") }
            }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }

    @Test func theDetectorSeesAnEdge() throws {
        #expect(Self.isStageModule("OpenImagesStages") && !Self.isStageModule("StageCLI"))
        let targets = try Self.targets()
        #expect(targets["OpenImagesStages"]?.contains("Pipeline") == true, "the manifest parser found \(targets["OpenImagesStages"] ?? [])")
    }
}
