import Foundation

/// Re-reads published shards and checks them against their indexes and the WebDataset rules
/// (github.com/webdataset/webdataset): sha256 and size as indexed, sample count and first/last key, every member named
/// `{key}.{field}` with a dot-free key, each sample's members contiguous, no field repeated.
/// For `cn-shard --verify` and audits; it streams every shard (memory stays small) but costs a full read.
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
            let reader = try WebDatasetReader(path: folder + "/" + tar)
            var keys: [String] = []
            var seenKeys = Set<String>()
            while let sample = reader.next() {
                if !seenKeys.insert(sample.key).inserted { report.problems.append("\(tar): members of \(sample.key) are not contiguous") }
                if Set(sample.fields.map(\.name)).count != sample.fields.count { report.problems.append("\(tar): \(sample.key) repeats a field") }
                if sample.key.contains("/") { report.problems.append("\(tar): key \(sample.key) holds a folder") }
                keys.append(sample.key)
            }
            if let error = reader.error {
                report.problems.append("\(tar): unreadable: \(error.message)")
                continue
            }
            for member in reader.skippedMembers { report.problems.append("\(tar): member \(member) is not key.field") }
            if keys.count != index.sampleCount { report.problems.append("\(tar): \(keys.count) samples, index says \(index.sampleCount)") }
            if keys.first != index.firstKey || keys.last != index.lastKey { report.problems.append("\(tar): first/last key differ from the index") }
            report.samples += keys.count
        }
        return report
    }
}
