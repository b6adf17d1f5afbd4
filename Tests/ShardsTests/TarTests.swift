import Foundation
import Shards
import Support
import TestSupport
import Testing

@Suite("ustar writer and reader")
struct TarTests {
    @Test("header checksum, padding and end blocks")
    func layout() throws {
        let folder = TestPaths.scratchFolder("tar-layout").path
        let path = folder + "/a.tar"
        let writer = try TarWriter(path: path)
        try writer.append(path: "000001.txt", bytes: Array("hello".utf8))
        try writer.append(path: "000001.json", bytes: Array(repeating: 0x41, count: 512))
        let (size, sha) = try writer.finish()
        let bytes = SampleFactory.bytes(path)
        #expect(size == bytes.count)
        #expect(size == 512 + 512 + 512 + 512 + 1024)
        #expect(sha == SHA256.hex(bytes))
        #expect(Array(bytes[257..<263]) == Array("ustar".utf8) + [0])
        #expect(Array(bytes[263..<265]) == Array("00".utf8))
        let entries = try TarReader.read(bytes: bytes)
        #expect(entries.map(\.path) == ["000001.txt", "000001.json"])
        #expect(entries[0].bytes == Array("hello".utf8))
        #expect(Array(bytes[(size - 1024)...]).allSatisfy { $0 == 0 })
    }

    @Test("long names split into prefix and name; GNU tar lists them")
    func longNames() throws {
        let folder = TestPaths.scratchFolder("tar-long").path
        let path = folder + "/b.tar"
        let longDir = String(repeating: "d", count: 120)
        let name = longDir + "/" + String(repeating: "n", count: 90) + ".txt"
        let writer = try TarWriter(path: path)
        try writer.append(path: name, bytes: [1, 2, 3])
        try writer.append(path: "short.bin", bytes: [])
        try writer.finish()
        #expect(try TarReader.read(path: path).map(\.path) == [name, "short.bin"])
        let listing = try PythonRunner.run(executable: "/usr/bin/tar", ["-tvf", path])
        #expect(listing.status == 0, "tar -tvf failed: \(listing.err)")
        let lines = listing.out.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix(name) == true)
        #expect(lines.first?.contains("root/root") == true)
        #expect(throws: ShardError.self) { try TarHeader.splitName(String(repeating: "x", count: 101)) }
    }

    @Test("truncated archives are refused")
    func truncated() throws {
        let folder = TestPaths.scratchFolder("tar-trunc").path
        let path = folder + "/c.tar"
        let writer = try TarWriter(path: path)
        try writer.append(path: "k.txt", bytes: Array(repeating: 7, count: 3000))
        try writer.finish()
        let bytes = SampleFactory.bytes(path)
        #expect(throws: ShardError.self) { try TarReader.read(bytes: Array(bytes[..<2048])) }
        #expect(throws: ShardError.self) { try TarReader.read(bytes: Array(bytes[..<(bytes.count - 512)])) }
    }

    @Test("streamed SHA-256 equals Support's SHA256 for many sizes")
    func digest() throws {
        let folder = TestPaths.scratchFolder("tar-sha").path
        var random = SeededRandom(seed: 7)
        for count in [0, 1, 55, 64, 511, 512, 70_000, 5_000_000] {
            let path = folder + "/d\(count).tar"
            let writer = try TarWriter(path: path, bufferSize: 1 << 16)
            let payload = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            try writer.append(path: "x.bin", bytes: payload)
            let (_, sha) = try writer.finish()
            #expect(sha == SHA256.hex(SampleFactory.bytes(path)))
            #expect(try sha256OfFile(path) == sha)
        }
    }

    @Test("the bytes do not depend on the write buffer size")
    func bufferIndependent() throws {
        let folder = TestPaths.scratchFolder("tar-buffers").path
        var random = SeededRandom(seed: 5)
        let members = (0..<40).map { i in ("k\(i).bin", (0..<(i * 9_973 % 300_000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }) }
        var digests: [String] = []
        for size in [64 << 10, 1 << 20, 8 << 20] {
            let writer = try TarWriter(path: folder + "/t\(size).tar", bufferSize: size)
            for (name, bytes) in members { try writer.append(path: name, bytes: bytes) }
            digests.append(try writer.finish().sha256)
        }
        #expect(Set(digests).count == 1)
        #expect(SampleFactory.bytes(folder + "/t65536.tar") == SampleFactory.bytes(folder + "/t8388608.tar"))
    }

    @Test("streaming into a pipe gives the same bytes as a file")
    func pipe() throws {
        let folder = TestPaths.scratchFolder("tar-pipe").path
        let fileWriter = try TarWriter(path: folder + "/f.tar")
        try fileWriter.append(path: "a.txt", bytes: Array("pipe".utf8))
        let fileDigest = try fileWriter.finish().sha256
        let pipe = Pipe()
        let writer = TarWriter(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor, label: "pipe")
        try writer.append(path: "a.txt", bytes: Array("pipe".utf8))
        let (count, digest) = try writer.finish()
        try pipe.fileHandleForWriting.close()
        let received = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
        #expect(received.count == count && digest == fileDigest)
        #expect(received == SampleFactory.bytes(folder + "/f.tar"))
    }

    @Test("a write that fails on the output thread (/dev/full) surfaces from append or finish", .enabled(if: FileManager.default.isWritableFile(atPath: "/dev/full")))
    func failedWrite() throws {
        let writer = try TarWriter(path: "/dev/full", bufferSize: 64 << 10)
        #expect(throws: FileWriteError.self) {
            for i in 0..<40 { try writer.append(path: "k\(i).bin", bytes: [UInt8](repeating: 1, count: 100_000)) }
            try writer.finish()
        }
    }

    @Test("canonical JSON: sorted keys, escapes, numbers")
    func json() throws {
        let value = JSONValue.object(["b": .int(1), "a": .array([.double(0.5), .float(0.1), .double(1e-7), .null, .bool(true)]),
                                      "c": .string("q\"\\\n\u{1}é")])
        #expect(try value.encodedString() == "{\"a\":[0.5,0.1,1e-07,null,true],\"b\":1,\"c\":\"q\\\"\\\\\\n\\u0001é\"}")
        #expect(throws: ShardError.self) { try JSONValue.double(.nan).encoded() }
        let parsed = try JSONSerialization.jsonObject(with: Data(try value.encoded())) as? [String: Any]
        #expect(parsed?["b"] as? Int == 1)
    }
}
