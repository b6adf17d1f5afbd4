import Foundation
@testable import Shards
import Support
import TestSupport
import Testing

/// Two shards in flight (`ShardPublisher`): a closed shard is finished in the background while the
/// next one fills. The bytes, the indexes and their order must not change; failures must surface.
@Suite("shards in flight")
struct ShardsInFlightTests {
    @Test("two shards in flight write the pinned bytes; append and finish hand back every index once, in order")
    func sameBytes() throws {
        let folder = TestPaths.scratchFolder("in-flight-golden").path
        let writer = try ShardSequenceWriter(folder: folder, split: "train", limits: ShardLimits(maxSamples: 7, maxBytes: 1 << 20),
                                             shardsInFlight: 2)
        var returned: [ShardIndex] = []
        for sample in try GoldenBytesTests.samples() { returned += try writer.append(sample) }
        let indexes = try writer.finish()
        #expect(indexes.map(\.number) == Array(0..<indexes.count))
        #expect(Array(indexes.prefix(returned.count)) == returned)
        #expect(writer.completed == indexes)
        var digests: [String: String] = [:]
        for name in SampleFactory.files(in: folder) { digests[name] = SHA256.hex(SampleFactory.bytes(folder + "/" + name)) }
        #expect(digests == GoldenBytesTests.expected)
    }

    @Test("a shard that fails to publish in the background is thrown, and no later shard is published")
    func backgroundFailure() throws {
        let folder = TestPaths.scratchFolder("in-flight-failure").path
        // A non-empty folder under shard 1's final name: its rename fails (EISDIR / ENOTEMPTY).
        try FileManager.default.createDirectory(atPath: folder + "/train-000001.tar/x", withIntermediateDirectories: true)
        let writer = try ShardSequenceWriter(folder: folder, split: "train", limits: ShardLimits(maxSamples: 4), shardsInFlight: 2)
        let samples = try SampleFactory.webDataset(ids: 0..<20)
        #expect(throws: FileWriteError.self) {
            for sample in samples { try writer.append(sample) }
            try writer.finish()
        }
        writer.abandon()
        let names = SampleFactory.files(in: folder)
        #expect(names.filter { $0.hasPrefix(AtomicFile.temporaryPrefix) }.isEmpty, "\(names)")
        #expect(names == ["train-000000.json", "train-000000.tar", "train-000001.tar"], "\(names)")
    }

    @Test("the publisher returns while a closed shard is still finishing, and holds a third shard until the first is done")
    func overlapAndBound() throws {
        let folder = TestPaths.scratchFolder("in-flight-overlap").path
        let publisher = ShardPublisher(shardsInFlight: 2)
        // Shards written into pipes that nobody reads yet: finishing them blocks until a reader drains the pipe.
        let first = try StalledShard(folder: folder, number: 0), second = try StalledShard(folder: folder, number: 1)
        // Readers start late (on their own threads), so a publisher that waits for a shard is slow, not stuck.
        let drainedFirst = first.drain(after: 0.5)
        try publisher.publish(first.shard)
        #expect(!drainedFirst.started, "publish waited for the shard instead of handing it to the background")
        #expect(try publisher.takePublished().isEmpty)
        _ = second.drain(after: 1.0)
        try publisher.publish(second.shard)
        #expect(drainedFirst.started, "the second shard was accepted while the first was still in flight")
        let indexes = try publisher.waitForAll()
        #expect(indexes.map(\.number) == [0, 1])
        #expect(indexes.allSatisfy { $0.byteCount == StalledShard.byteCount })
    }

    @Test("TarWriter's caller only lists pieces: appends return while the file cannot take a byte, and the bytes stay right")
    func callerRunsAhead() throws {
        let pipe = Pipe()
        let writer = TarWriter(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor, label: "stalled pipe")
        let members = (0..<12).map { [UInt8](repeating: UInt8($0), count: 1 << 20) }
        let total = members.count * (512 + (1 << 20)) + 1024
        let received = LockedBytes()
        let reader = pipe.fileHandleForReading
        let started = DrainFlag()
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.5)
            started.start()
            while received.count < total { received.append(reader.readData(ofLength: total - received.count)) }
        }
        // 12 MiB is more than the pipe (64 KiB) and the write batches (8 MiB) hold.
        for (position, member) in members.enumerated() { try writer.append(path: "m\(position).bin", bytes: member) }
        #expect(!started.started, "append waited for the file")
        let (count, sha) = try writer.finish()
        while received.count < total { usleep(1_000) }
        let expected = ShardHasher()
        received.bytes.withUnsafeBytes { expected.update($0) }
        #expect(count == total && sha == expected.finalizeHex())
        #expect(try TarReader.read(bytes: received.bytes).map(\.path) == members.indices.map { "m\($0).bin" })
    }

    @Test("a failure producing the next shard's samples leaves the shard in flight published, and no temporary")
    func resumeFailureWhileInFlight() throws {
        let limits = ShardLimits(maxSamples: 5)
        let all = try SampleFactory.webDataset(ids: 0..<15)
        let folder = TestPaths.scratchFolder("in-flight-resume").path
        let plan = limits.plan(archivedSizes: all.map(\.archivedSize))
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try ShardResume.write(plan: plan, folder: folder, split: "train", limits: limits) { range in
                if range == plan[1] { throw Refused() }
                return Array(all[range])
            }
        }
        #expect(SampleFactory.files(in: folder) == ["train-000000.json", "train-000000.tar"])
        let index = try #require(try ShardIndex.load(folder: folder, split: "train", number: 0))
        #expect(try index.isIntact(folder: folder, checkHash: true))
    }
}

/// A closed shard whose tar goes into a pipe no one reads yet (with an empty file at its temporary
/// name, so publishing can rename it): finishing it waits until `drain` empties the pipe.
private struct StalledShard {
    /// More than a pipe holds (64 KiB), so the write blocks.
    static let byteCount = 512 + (1 << 20) + 1024
    let shard: ClosedShard
    let pipe = Pipe()

    init(folder: String, number: Int) throws {
        let temporary = AtomicFile.temporaryPath(for: folder + "/" + ShardNaming.tarName(split: "train", number: number))
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        let writer = TarWriter(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor, label: "pipe \(number)")
        try writer.append(path: "\(number).bin", bytes: [UInt8](repeating: UInt8(number), count: 1 << 20))
        shard = ClosedShard(writer: writer, folder: folder, split: "train", number: number, temporary: temporary,
                            sampleCount: 1, firstKey: "\(number)", lastKey: "\(number)")
    }

    /// Starts reading the pipe to its end after `delay` seconds on another thread; `started` tells whether it has begun.
    func drain(after delay: Double) -> DrainFlag {
        let flag = DrainFlag()
        let reader = pipe.fileHandleForReading, total = Self.byteCount
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: delay)
            flag.start()
            var read = 0
            while read < total { read += reader.readData(ofLength: total - read).count }
        }
        return flag
    }
}

/// Set once a drain has begun.
private final class DrainFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var started: Bool { lock.withLock { value } }
    func start() { lock.withLock { value = true } }
}

/// Bytes read so far by a reader thread.
private final class LockedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var data: [UInt8] = []
    var count: Int { lock.withLock { data.count } }
    var bytes: [UInt8] { lock.withLock { data } }
    func append(_ chunk: Data) { lock.withLock { data += chunk } }
}
