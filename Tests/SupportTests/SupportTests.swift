import Foundation
import Testing
import Support
import TestSupport

@Suite struct SeededRandomTests {
    @Test func sameSeedSameStream() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
    }

    @Test func splitMixMatchesReferenceValues() {
        // Reference values of SplitMix64 seeded with 1234567 (Vigna's splitmix64.c).
        var mixer = SplitMix64(state: 1_234_567)
        #expect(mixer.next() == 6_457_827_717_110_365_317)
        #expect(mixer.next() == 3_203_168_211_198_807_973)
    }

    @Test func itemStreamsDependOnEveryPart() {
        let base = StableHash.itemSeed(runSeed: 1, stage: "render", item: "a")
        #expect(base == StableHash.itemSeed(runSeed: 1, stage: "render", item: "a"))
        #expect(base != StableHash.itemSeed(runSeed: 2, stage: "render", item: "a"))
        #expect(base != StableHash.itemSeed(runSeed: 1, stage: "extract", item: "a"))
        #expect(base != StableHash.itemSeed(runSeed: 1, stage: "render", item: "b"))
    }

    @Test func integerBelowStaysInRangeAndCoversIt() {
        var rng = SeededRandom(seed: 7)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let v = rng.integer(below: 10)
            #expect((0..<10).contains(v))
            seen.insert(v)
        }
        #expect(seen.count == 10)
    }

    @Test func partitionsAreStableAndBalanced() {
        var counts = [0, 0, 0]
        for i in 0..<3000 { counts[StableHash.partition(of: "item-\(i)", count: 3)] += 1 }
        #expect(counts.allSatisfy { $0 > 900 && $0 < 1100 })
        #expect(StableHash.fnv1a64("") == 0xCBF2_9CE4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xAF63_DC4C_8601_EC8C)
    }
}

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalEqualsOneShot() {
        var rng = SeededRandom(seed: 3)
        let bytes = (0..<10_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var digest = SHA256()
        var offset = 0
        while offset < bytes.count {
            let step = min(1 + rng.integer(below: 200), bytes.count - offset)
            digest.update(bytes[offset..<(offset + step)])
            offset += step
        }
        #expect(Hex.encode(digest.finalize()) == SHA256.hex(bytes))
    }
}

@Suite struct AtomicFileTests {
    @Test func writesAndCleansOrphans() throws {
        let folder = TestPaths.scratchFolder("atomic")
        let target = folder.appendingPathComponent("a/b/out.bin").path
        try AtomicFile.write([1, 2, 3], to: target)
        #expect(FileManager.default.contents(atPath: target) == Data([1, 2, 3]))
        let orphan = AtomicFile.temporaryPath(for: target)
        _ = FileManager.default.createFile(atPath: orphan, contents: Data([9]))
        #expect(AtomicFile.removeOrphans(below: folder.path) == 1)
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(FileManager.default.fileExists(atPath: target))
    }

    @Test func publishFolderReplacesEarlierFolder() throws {
        let folder = TestPaths.scratchFolder("publish")
        let destination = folder.appendingPathComponent("asset").path
        try AtomicFile.write([1], to: destination + "/old.txt")
        let staging = AtomicFile.temporaryPath(for: destination)
        try AtomicFile.write([2], to: staging + "/new.txt")
        try AtomicFile.publishFolder(staging: staging, to: destination)
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination) == ["new.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["asset"])
    }
}

@Suite struct NPYTests {
    @Test func roundTripsAndPadsHeaderTo64() throws {
        let values: [Float] = (0..<12).map { Float($0) * 0.5 }
        let bytes = NPY.encode(float32: values, shape: [3, 4])
        #expect((bytes.count - 48) % 64 == 0)
        let decoded = try NPY.decode(bytes)
        #expect(decoded.shape == [3, 4])
        #expect(decoded.values == values.map(Double.init))
    }

    @Test func refusesGarbage() {
        #expect(throws: NPYError.self) { try NPY.decode(Array("hello world".utf8)) }
    }
}
