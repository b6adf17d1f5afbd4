import Foundation
import Support

/// The on-disk layout of an Objaverse 1.0 download (the objaverse package, github.com/allenai/objaverse-xl; the `objaverse` package's
/// `_VERSIONED_PATH`): `glbs/000-XXX/{uid}.glb`, `object-paths.json.gz` (uid -> relative GLB
/// path), `metadata/000-XXX.json.gz` (or plain `.json`) keyed by uid, and
/// `lvis-annotations.json.gz` (category -> [uid]).
public struct ObjaverseLayout: Sendable, Equatable {
    /// The download root.
    public let root: String
    /// `object-paths.json.gz` or `object-paths.json`, when present.
    public var objectPaths: String?
    /// Per-folder metadata files, sorted.
    public var metadataFiles: [String]
    /// `lvis-annotations.json.gz` or `.json`, when present.
    public var lvisAnnotations: String?
    /// Whether `glbs/` exists.
    public var hasGLBFolder: Bool

    /// Looks for the files under `root`.
    public init(root: String) {
        self.root = root
        let manager = FileManager.default
        func first(_ names: [String]) -> String? { names.map { root + "/" + $0 }.first { manager.fileExists(atPath: $0) } }
        objectPaths = first(["object-paths.json.gz", "object-paths.json"])
        lvisAnnotations = first(["lvis-annotations.json.gz", "lvis-annotations.json"])
        let names = (try? manager.contentsOfDirectory(atPath: root + "/metadata")) ?? []
        metadataFiles = names.filter { $0.hasSuffix(".json.gz") || $0.hasSuffix(".json") }.sorted().map { root + "/metadata/" + $0 }
        var isFolder: ObjCBool = false
        hasGLBFolder = manager.fileExists(atPath: root + "/glbs", isDirectory: &isFolder) && isFolder.boolValue
    }

    /// What is missing, one line each (empty when the layout is usable). Metadata is optional.
    public var missing: [String] {
        var lines: [String] = []
        if !hasGLBFolder { lines.append("\(root)/glbs/ (the GLB files, glbs/000-XXX/{uid}.glb)") }
        return lines
    }

    /// uid -> path relative to the root, from `object-paths.json(.gz)`; empty when absent.
    public func loadObjectPaths() throws -> [String: String] {
        guard let objectPaths else { return [:] }
        let bytes = try JSONFile.bytes(objectPaths, limit: 1 << 30)
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(bytes))
        } catch {
            throw DatasetFileError.badFormat(path: objectPaths, reason: "not a JSON object of uid -> path (\(oneLineDecoding(error)))")
        }
    }

    /// LVIS category -> uids, from `lvis-annotations.json(.gz)`; empty when absent.
    public func loadLVIS() throws -> [String: [String]] {
        guard let lvisAnnotations else { return [:] }
        let bytes = try JSONFile.bytes(lvisAnnotations, limit: 1 << 30)
        do {
            return try JSONDecoder().decode([String: [String]].self, from: Data(bytes))
        } catch {
            throw DatasetFileError.badFormat(path: lvisAnnotations, reason: "not a JSON object of category -> [uid] (\(oneLineDecoding(error)))")
        }
    }

    /// Every metadata file merged (uid -> metadata); a file that cannot be read is reported in
    /// `problems` and skipped, never fatal.
    public func loadMetadata(problems: inout MalformedRowLog) -> [String: ObjaverseMetadata] {
        var all: [String: ObjaverseMetadata] = [:]
        for file in metadataFiles {
            do {
                all.merge(try ObjaverseMetadata.load(path: file)) { first, _ in first }
            } catch {
                problems.record(MalformedRow(file: file, line: 0, reason: oneLine(error)))
            }
        }
        return all
    }
}
