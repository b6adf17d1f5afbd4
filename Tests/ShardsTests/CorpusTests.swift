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
}
