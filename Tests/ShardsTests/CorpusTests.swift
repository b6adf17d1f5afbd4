import Foundation
import Shards
import Support
import TestSupport
import Testing

@Suite("corpus writer and audit")
struct CorpusTests {
    @Test("samples are routed to their split's shards; the audit passes and catches a tampered shard")
    func corpus() throws {
        let folder = TestPaths.scratchFolder("corpus").path
        let assigner = try SplitAssigner.standard(train: 0.6, val: 0.2, test: 0.2)
        let writer = ShardCorpusWriter(folder: folder, limits: ShardLimits(maxSamples: 4))
        var perSplit: [String: Int] = [:]
        for id in 0..<30 {
            var sample = SampleFactory.sample(id: id)
            sample.split = assigner.split(ofSource: sample.source["asset"]!)
            perSplit[sample.split, default: 0] += 1
            try writer.append(sample)
        }
        let indexes = try writer.finish()
        for (split, count) in perSplit {
            #expect(indexes[split]?.reduce(0) { $0 + $1.sampleCount } == count)
            let report = try ShardAudit.audit(folder: folder, split: split)
            #expect(report.problems.isEmpty, "\(report.problems)")
            #expect(report.samples == count)
        }
        let victim = folder + "/" + indexes["train"]![0].shard
        var bytes = SampleFactory.bytes(victim)
        bytes[700] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: victim))
        #expect(try ShardAudit.audit(folder: folder, split: "train").problems.count == 1)
    }

    @Test("the audit finds non-contiguous samples, repeated fields and stray members in an indexed shard")
    func badLayout() throws {
        let folder = TestPaths.scratchFolder("audit-layout").path
        let writer = try TarWriter(path: folder + "/train-000000.tar")
        for name in ["a.txt", "b.txt", "b.txt", "a.json", "README"] { try writer.append(path: name, bytes: [1]) }
        let (bytes, sha) = try writer.finish()
        try ShardIndex(split: "train", number: 0, sampleCount: 3, byteCount: bytes, sha256: sha, firstKey: "a", lastKey: "a").write(folder: folder)
        let report = try ShardAudit.audit(folder: folder, split: "train")
        #expect(report.problems.contains { $0.contains("members of a are not contiguous") })
        #expect(report.problems.contains { $0.contains("b repeats a field") })
        #expect(report.problems.contains { $0.contains("README is not key.field") })
        #expect(report.samples == 3)
    }
}
