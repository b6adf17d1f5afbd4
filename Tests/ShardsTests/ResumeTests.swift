import Foundation
import Shards
import Support
import TestSupport
import Testing

@Suite("resumable shard writing")
struct ResumeTests {
    @Test("intact shards are kept, damaged or missing ones rebuilt identically, stale ones removed")
    func resume() throws {
        let limits = ShardLimits(maxSamples: 5)
        let all = try SampleFactory.webDataset(ids: 0..<23)
        let folder = TestPaths.scratchFolder("resume").path
        let plan = limits.plan(archivedSizes: all.map(\.archivedSize))
        #expect(plan.count == 5)
        var built: [Range<Int>] = []
        let first = try ShardResume.write(plan: plan, folder: folder, split: "train", limits: limits) { built.append($0); return Array(all[$0]) }
        #expect(first.written.count == 5 && first.kept.isEmpty && built.count == 5)
        let reference = SampleFactory.files(in: folder).map { ($0, SampleFactory.bytes(folder + "/" + $0)) }

        // Damage shard 2, delete shard 4's index (as if killed before it was written).
        var bytes = SampleFactory.bytes(folder + "/train-000002.tar")
        bytes[600] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/train-000002.tar"))
        try FileManager.default.removeItem(atPath: folder + "/train-000004.json")
        built.removeAll()
        let second = try ShardResume.write(plan: plan, folder: folder, split: "train", limits: limits) { built.append($0); return Array(all[$0]) }
        #expect(built == [plan[2], plan[4]])
        #expect(second.kept.map(\.number) == [0, 1, 3])
        let after = SampleFactory.files(in: folder).map { ($0, SampleFactory.bytes(folder + "/" + $0)) }
        #expect(after.map(\.0) == reference.map(\.0))
        #expect(zip(after, reference).allSatisfy { $0.1 == $1.1 })

        // A smaller corpus: shards past the new plan disappear.
        let fewer = limits.plan(archivedSizes: all.prefix(12).map(\.archivedSize))
        let third = try ShardResume.write(plan: fewer, folder: folder, split: "train", limits: limits) { Array(all[$0]) }
        #expect(third.removed.sorted() == ["train-000003.json", "train-000003.tar", "train-000004.json", "train-000004.tar"])
        #expect(SampleFactory.files(in: folder) == ["train-000000.json", "train-000000.tar", "train-000001.json", "train-000001.tar",
                                                     "train-000002.json", "train-000002.tar"])
        #expect(try ShardAudit.audit(folder: folder, split: "train").problems.isEmpty)
    }
}
