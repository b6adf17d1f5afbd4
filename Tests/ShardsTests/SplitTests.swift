import Shards
import Testing
import Foundation

@Suite("train/val/test splits by source")
struct SplitTests {
    @Test("no source in two splits; ratios roughly respected; stable")
    func noLeak() throws {
        let assigner = try SplitAssigner(splits: [("train", 0.8), ("val", 0.1), ("test", 0.1)])
        var splitOfSource: [String: String] = [:]
        var counts: [String: Int] = [:]
        // 20,000 sources with 3 samples each, assigned sample by sample in a shuffled order.
        var samples: [(sample: Int, source: String)] = []
        for source in 0..<20_000 { for view in 0..<3 { samples.append((source * 3 + view, String(format: "%032x", source &* 2_654_435_761))) } }
        samples.reverse()
        for sample in samples {
            let split = assigner.split(ofSource: sample.source)
            if let earlier = splitOfSource[sample.source] { #expect(earlier == split) } else { splitOfSource[sample.source] = split; counts[split, default: 0] += 1 }
        }
        #expect(splitOfSource.count == 20_000)
        #expect(abs(Double(counts["train"] ?? 0) / 20_000 - 0.8) < 0.015)
        #expect(abs(Double(counts["val"] ?? 0) / 20_000 - 0.1) < 0.01)
        #expect(abs(Double(counts["test"] ?? 0) / 20_000 - 0.1) < 0.01)
        let again = try SplitAssigner(splits: [("train", 0.8), ("val", 0.1), ("test", 0.1)])
        #expect(splitOfSource.allSatisfy { again.split(ofSource: $0.key) == $0.value })
        let zeroVal = try SplitAssigner(splits: [("train", 0.9), ("val", 0), ("test", 0.1)])
        #expect(splitOfSource.keys.allSatisfy { zeroVal.split(ofSource: $0) != "val" })
        #expect(throws: ShardError.self) { try SplitAssigner(splits: [("train", -1)]) }
        #expect(throws: ShardError.self) { try SplitAssigner(splits: [("tr-ain", 1)]) }
    }
}
