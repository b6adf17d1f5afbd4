import Foundation
import Shards
import Support
import TestSupport
import Testing

/// Pins the exact bytes the shard writers produce, so speed work on the write path (buffering,
/// threads, header encoding) cannot change a shard: the SHA-256 of every tar and index below was
/// recorded from the writer before that work began.
@Suite("shard bytes are pinned")
struct GoldenBytesTests {
    /// Seeded samples whose member sizes hit the padding edge cases (0, 1, 511, 512, 513 bytes,
    /// up to ~300 KB), some with keys near the 100-byte ustar name field.
    static func samples() throws -> [WebDatasetSample] {
        var random = SeededRandom(seed: 13)
        let sizes = [0, 1, 511, 512, 513, 1024, 4_095, 70_001, 300_017]
        return try (0..<24).map { id in
            let key = id % 5 == 4 ? String(repeating: "k", count: 80) + String(id) : (try WebDatasetSample.key(forSampleID: id))
            let fields = ["target.png", "ref.png", "concat.png", "txt", "json"].enumerated().map { position, name in
                let count = sizes[(id * 3 + position * 7) % sizes.count]
                return (name: name, bytes: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
            return try WebDatasetSample(key: key, fields: fields)
        }
    }

    static let expected: [String: String] = [
        "train-000000.json": "a3e62e5d88231bc858591e16d7604414285301714f4a3a48def7ea8f4de9f468",
        "train-000000.tar": "8fb42e5835146dd1889f2870c07843322ceb537d3d46550ed96289978bf38d99",
        "train-000001.json": "e97e387d1baa89c7990f994a35ccb3e7eb728e8fe828cedf85aa060505eadf33",
        "train-000001.tar": "e5fc940024f780c15c134389e34823ea6aa2cf195f18279066d7d7e9de4d43ff",
        "train-000002.json": "f737b692b078e204372612a6ae8d51b99676aff4bda9fb49767d1821adfe6abb",
        "train-000002.tar": "b3236863220440589c7e658f697970b12321b355ac142952ff7e4d1e76b8187b",
        "train-000003.json": "6ddccde2c7c04da04f38a3b15791d6d2f67a134c25cb6a7fbdd49cac3ba21ff1",
        "train-000003.tar": "7d3bf33ed3765f503805718988f89e868ca89bd4ebadebbb27121507250b6ece",
    ]

    @Test("ShardSequenceWriter output equals the recorded SHA-256 of every tar and index")
    func pinned() throws {
        let folder = TestPaths.scratchFolder("shards-golden").path
        let writer = try ShardSequenceWriter(folder: folder, split: "train", limits: ShardLimits(maxSamples: 7, maxBytes: 1 << 20))
        for sample in try Self.samples() { try writer.append(sample) }
        let indexes = try writer.finish()
        var digests: [String: String] = [:]
        for name in SampleFactory.files(in: folder) { digests[name] = SHA256.hex(SampleFactory.bytes(folder + "/" + name)) }
        #expect(indexes.count == digests.count / 2)
        #expect(digests == Self.expected)
    }

    @Test("a tar written member by member with TarWriter equals its recorded SHA-256, buffered or direct, on disk or tmpfs",
          arguments: [(64 << 10, true), (64 << 10, false), (4 << 20, true), (1 << 20, false)])
    func pinnedTar(bufferSize: Int, directIO: Bool) throws {
        let folder = TestPaths.scratchFolder("tar-golden").path
        let path = folder + "/all.tar"
        let writer = try TarWriter(path: path, bufferSize: bufferSize, directIO: directIO)
        // Direct I/O is taken exactly where it should be: on the local disk filesystems DirectIO names.
        let type = try PythonRunner.run(executable: "/usr/bin/stat", ["-f", "-c", "%t", folder]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(writer.usesDirectIO == (directIO && ["ef53", "58465342", "9123683e"].contains(type)), "filesystem type \(type)")
        for (position, sample) in try Self.samples().enumerated() {
            // Every other sample sits under a 120-byte folder, so its names use the ustar prefix field.
            let folder = position % 2 == 0 ? "" : String(repeating: "p", count: 120) + "/"
            for field in sample.fields { try writer.append(path: folder + sample.memberName(field.name), bytes: field.bytes) }
        }
        let (count, sha) = try writer.finish()
        #expect(sha == SHA256.hex(SampleFactory.bytes(path)))
        #expect(count == 3_695_616 && sha == "56327b854cb30ae634573859bac21a63bfe008151b037c16481c8a9db3f798a7")
        #expect(try sha256OfFile(path) == sha)
    }

    @Test("shards written on tmpfs equal the recorded ones", .enabled(if: FileManager.default.isWritableFile(atPath: "/dev/shm")))
    func pinnedOnTmpfs() throws {
        let folder = "/dev/shm/cn-tests-golden-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try ShardSequenceWriter(folder: folder, split: "train", limits: ShardLimits(maxSamples: 7, maxBytes: 1 << 20))
        for sample in try Self.samples() { try writer.append(sample) }
        try writer.finish()
        var digests: [String: String] = [:]
        for name in SampleFactory.files(in: folder) { digests[name] = SHA256.hex(SampleFactory.bytes(folder + "/" + name)) }
        #expect(digests == Self.expected)
    }
}
