import Foundation

/// Re-reads published shards and checks them against their indexes and the WebDataset rules
/// (formats.md): sha256 and size as indexed, sample count and first/last key, every member named
/// `{key}.{field}` with a dot-free key, each sample's members contiguous, no field repeated.
/// For `cn-shard --verify` and audits; it reads whole shards, so it costs a full pass.
public enum ShardAudit {
    /// What an audit of one split found.
    public struct Report: Sendable, Equatable {
        /// Shards checked.
        public var shards = 0
        /// Samples found.
        public var samples = 0
        /// One line per problem; empty when everything is right.
        public var problems: [String] = []
    }

    /// Audits every `{split}-NNNNNN.tar` in `folder` that has an index, plus any tar without one.
    public static func audit(folder: String, split: String) throws -> Report {
        var report = Report()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let tars = names.filter { $0.hasPrefix(split + "-") && $0.hasSuffix(".tar") }.sorted()
        for tar in tars {
            let stem = String(tar.dropLast(4))
            guard let number = Int(stem.dropFirst(split.count + 1)) else { continue }
            report.shards += 1
            guard let index = try ShardIndex.load(folder: folder, split: split, number: number) else {
                report.problems.append("\(tar): no index (unfinished or foreign shard)")
                continue
            }
            if try !index.isIntact(folder: folder, checkHash: true) {
                report.problems.append("\(tar): size or sha256 differs from its index")
                continue
            }
            let entries: [TarEntry]
            do { entries = try TarReader.read(path: folder + "/" + tar) } catch {
                report.problems.append("\(tar): unreadable: \(error)")
                continue
            }
            var keys: [String] = []
            var seenKeys = Set<String>()
            var fields = Set<String>()
            for entry in entries {
                guard let dot = entry.path.firstIndex(of: "."), !entry.path.contains("/") else {
                    report.problems.append("\(tar): member \(entry.path) is not key.field")
                    continue
                }
                let key = String(entry.path[..<dot]), field = String(entry.path[entry.path.index(after: dot)...])
                if keys.last != key {
                    if !seenKeys.insert(key).inserted { report.problems.append("\(tar): members of \(key) are not contiguous") }
                    keys.append(key)
                    fields.removeAll()
                }
                if !fields.insert(field).inserted { report.problems.append("\(tar): \(key) repeats field \(field)") }
            }
            if keys.count != index.sampleCount { report.problems.append("\(tar): \(keys.count) samples, index says \(index.sampleCount)") }
            if keys.first != index.firstKey || keys.last != index.lastKey { report.problems.append("\(tar): first/last key differ from the index") }
            report.samples += keys.count
        }
        return report
    }
}
