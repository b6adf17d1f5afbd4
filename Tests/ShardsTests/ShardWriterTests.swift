import Foundation
import Shards
import Support
import TestSupport
import Testing

@Suite("WebDataset shard writer")
struct ShardWriterTests {
    static let limits = ShardLimits(maxSamples: 7, maxBytes: 64 << 10)

    func write(_ samples: [WebDatasetSample], into folder: String, split: String = "train") throws -> [ShardIndex] {
        let writer = try ShardSequenceWriter(folder: folder, split: split, limits: Self.limits)
        for sample in samples { try writer.append(sample) }
        return try writer.finish()
    }

    @Test("two writes of the same samples are byte-identical; changed content changes the bytes")
    func reproducible() throws {
        let samples = try SampleFactory.webDataset(ids: 0..<40)
        let a = TestPaths.scratchFolder("shards-a").path, b = TestPaths.scratchFolder("shards-b").path
        let c = TestPaths.scratchFolder("shards-c").path
        let first = try write(samples, into: a)
        let second = try write(samples, into: b)
        #expect(first == second)
        #expect(first.count > 2)
        #expect(SampleFactory.files(in: a) == SampleFactory.files(in: b))
        for name in SampleFactory.files(in: a) {
            #expect(SampleFactory.bytes(a + "/" + name) == SampleFactory.bytes(b + "/" + name), "\(name) differs")
        }
        var changed = samples
        changed[3] = try SampleFactory.sample(id: 3, salt: 9).webDatasetSample()
        let third = try write(changed, into: c)
        #expect(third.map(\.sha256) != first.map(\.sha256))
        // Only the shard holding sample 3 changes (same sizes, so the same boundaries).
        let holder = try #require(first.firstIndex { $0.firstKey <= samples[3].key && samples[3].key <= $0.lastKey })
        for position in first.indices {
            #expect((third[position].sha256 == first[position].sha256) == (position != holder))
        }
    }

    @Test("boundaries follow the limits and match ShardLimits.plan; indexes match the tars")
    func boundaries() throws {
        let samples = try SampleFactory.webDataset(ids: 0..<40)
        let folder = TestPaths.scratchFolder("shards-plan").path
        let indexes = try write(samples, into: folder)
        let plan = Self.limits.plan(archivedSizes: samples.map(\.archivedSize))
        #expect(indexes.map(\.sampleCount) == plan.map(\.count))
        #expect(indexes.map(\.firstKey) == plan.map { samples[$0.lowerBound].key })
        #expect(indexes.map(\.lastKey) == plan.map { samples[$0.upperBound - 1].key })
        var position = 0
        for index in indexes {
            #expect(index.byteCount <= Self.limits.maxBytes)
            #expect(index.sampleCount <= Self.limits.maxSamples)
            let path = folder + "/" + index.shard
            #expect(try sha256OfFile(path) == index.sha256)
            #expect(try index.isIntact(folder: folder, checkHash: true))
            #expect(try ShardIndex.load(folder: folder, split: "train", number: index.number) == index)
            let entries = try TarReader.read(path: path)
            let expected = samples[position..<(position + index.sampleCount)].flatMap { sample in sample.fields.map { sample.memberName($0.name) } }
            #expect(entries.map(\.path) == expected)
            position += index.sampleCount
        }
        #expect(position == samples.count)
        // A shard rewritten on its own (the resume unit) is byte-identical to the streamed one.
        let other = TestPaths.scratchFolder("shards-one").path
        let range = plan[1]
        let single = try ShardSequenceWriter.writeShard(samples[range], folder: other, split: "train", number: 1, limits: Self.limits)
        #expect(single == indexes[1])
        #expect(SampleFactory.bytes(other + "/train-000001.tar") == SampleFactory.bytes(folder + "/train-000001.tar"))
    }

    @Test("a kill mid-shard leaves only complete shards and indexes under final names")
    func killMidShard() throws {
        let samples = try SampleFactory.webDataset(ids: 0..<10)
        let folder = TestPaths.scratchFolder("shards-kill").path
        var writer: ShardSequenceWriter? = try ShardSequenceWriter(folder: folder, split: "val", limits: ShardLimits(maxSamples: 4))
        for sample in samples.prefix(6) { try writer!.append(sample) }
        // Shard 0 is complete, shard 1 is half written: only shard 0 and its index carry final names.
        let visible = SampleFactory.files(in: folder)
        let finals = visible.filter { !$0.hasPrefix(AtomicFile.temporaryPrefix) }
        #expect(finals == ["val-000000.json", "val-000000.tar"])
        #expect(visible.contains { $0.hasPrefix(AtomicFile.temporaryPrefix) && $0.contains("val-000001.tar") })
        // The tar of an unfinished shard is truncated (no end blocks): readers refuse it.
        let partial = visible.first { $0.hasPrefix(AtomicFile.temporaryPrefix) }!
        #expect(throws: ShardError.self) { try TarReader.read(path: folder + "/" + partial) }
        #expect(try ShardIndex.load(folder: folder, split: "val", number: 1) == nil)
        // Simulated kill: the process goes away without finishing; orphans are swept at the next start.
        writer = nil
        AtomicFile.removeOrphans(below: folder)
        #expect(SampleFactory.files(in: folder) == ["val-000000.json", "val-000000.tar"])
        // Resume: shard 0 is intact and skipped; the rest is rewritten identically to a clean run.
        let index0 = try #require(try ShardIndex.load(folder: folder, split: "val", number: 0))
        #expect(try index0.isIntact(folder: folder, checkHash: true))
        let plan = ShardLimits(maxSamples: 4).plan(archivedSizes: samples.map(\.archivedSize))
        for (number, range) in plan.enumerated() where number > 0 {
            try ShardSequenceWriter.writeShard(samples[range], folder: folder, split: "val", number: number, limits: ShardLimits(maxSamples: 4))
        }
        let clean = TestPaths.scratchFolder("shards-clean").path
        let cleanWriter = try ShardSequenceWriter(folder: clean, split: "val", limits: ShardLimits(maxSamples: 4))
        for sample in samples { try cleanWriter.append(sample) }
        try cleanWriter.finish()
        #expect(SampleFactory.files(in: folder) == SampleFactory.files(in: clean))
        for name in SampleFactory.files(in: clean) {
            #expect(SampleFactory.bytes(folder + "/" + name) == SampleFactory.bytes(clean + "/" + name))
        }
    }

    @Test("keys and fields are validated")
    func validation() throws {
        #expect(throws: ShardError.self) { try WebDatasetSample(key: "a.b", fields: [("txt", [])]) }
        #expect(throws: ShardError.self) { try WebDatasetSample(key: "a/b", fields: [("txt", [])]) }
        #expect(throws: ShardError.self) { try WebDatasetSample(key: "k", fields: [("txt", []), ("txt", [])]) }
        #expect(throws: ShardError.self) { try WebDatasetSample(key: "k", fields: [("TXT", [])]) }
        #expect(try WebDatasetSample.key(forSampleID: 42) == "0000000042")
        #expect(ShardNaming.tarName(split: "train", number: 12) == "train-000012.tar")
        #expect(ShardNaming.urlPattern(folder: "/s", split: "val", count: 3) == "/s/val-{000000..000002}.tar")
        let folder = TestPaths.scratchFolder("shards-dup").path
        let writer = try ShardSequenceWriter(folder: folder, split: "train")
        let sample = try SampleFactory.sample(id: 1).webDatasetSample()
        try writer.append(sample)
        #expect(throws: ShardError.self) { try writer.append(sample) }
        writer.abandon()
    }
}

@Suite("SIGKILL mid-shard")
struct KillTests {
    @Test("SIGKILL of a writing process leaves only complete shards (with intact indexes) under final names")
    func sigkill() throws {
        let executable = TestPaths.productsFolder.appendingPathComponent("cn-test-shards").path
        try #require(FileManager.default.isExecutableFile(atPath: executable), "cn-test-shards not built at \(executable); run swift build first")
        let payload = TestPaths.scratchFolder("kill-payload").path
        for id in 0..<40 {
            let sample = try SampleFactory.sample(id: id).webDatasetSample()
            for field in sample.fields { try Data(field.bytes).write(to: URL(fileURLWithPath: payload + "/" + sample.memberName(field.name))) }
        }
        let out = TestPaths.scratchFolder("kill-out").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [payload, out, "4", "1000000000", "40"]
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: out + "/train-000001.json"), Date() < deadline { usleep(5_000) }
        usleep(60_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the writer finished before it could be killed")
        let names = SampleFactory.files(in: out)
        let finals = names.filter { !$0.hasPrefix(AtomicFile.temporaryPrefix) }
        #expect(names.contains { $0.hasPrefix(AtomicFile.temporaryPrefix) }, "expected a half-written temporary: \(names)")
        let tars = finals.filter { $0.hasSuffix(".tar") }
        #expect(tars.count >= 2 && tars.count < 10)
        for tar in tars {
            let number = Int(tar.dropFirst("train-".count).dropLast(4))!
            let index = try #require(try ShardIndex.load(folder: out, split: "train", number: number), "\(tar) has no index")
            #expect(try index.isIntact(folder: out, checkHash: true))
            #expect(try TarReader.read(path: out + "/" + tar).count == 4 * 5)
        }
        #expect(finals.filter { $0.hasSuffix(".json") }.count == tars.count)
    }
}
