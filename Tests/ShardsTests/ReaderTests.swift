import Foundation
import Shards
import Support
import TestSupport
import Testing

@Suite("WebDataset streaming reader")
struct ReaderTests {
    @Test("reads back exactly the samples the writer wrote, with small read buffers")
    func roundTrip() throws {
        let folder = TestPaths.scratchFolder("reader").path
        let samples = try SampleFactory.webDataset(ids: 0..<9)
        let index = try ShardSequenceWriter.writeShard(samples, folder: folder, split: "val", number: 0)
        let reader = try WebDatasetReader(path: folder + "/" + index.shard, bufferSize: 4096)
        #expect(try reader.readAll() == samples)
        // A truncated copy reports the truncation instead of inventing samples.
        let bytes = SampleFactory.bytes(folder + "/" + index.shard)
        try Data(bytes[..<(bytes.count / 2)]).write(to: URL(fileURLWithPath: folder + "/cut.tar"))
        let cut = try WebDatasetReader(path: folder + "/cut.tar")
        #expect(throws: ShardError.self) { try cut.readAll() }
    }

    @Test("reads a shard written by Python webdataset's TarWriter")
    func pythonShard() throws {
        let folder = TestPaths.scratchFolder("reader-python").path
        let result = try PythonRunner.runScript("webdataset_write.py", [folder + "/py.tar", "12"])
        try #require(result.status == 0, "webdataset_write.py failed: \(result.err)")
        let samples = try WebDatasetReader(path: folder + "/py.tar").readAll()
        #expect(samples.map(\.key) == ["deep/" + String(repeating: "k", count: 120)] + (1..<12).map { String(format: "s%04d", $0) })
        for (i, sample) in samples.enumerated() {
            let fields = Dictionary(uniqueKeysWithValues: sample.fields.map { ($0.name, $0.bytes) })
            #expect(Set(fields.keys) == ["target.png", "txt", "json", "cls"])
            #expect(fields["target.png"] == Array(String(repeating: "png-\(i)", count: i + 1).utf8))
            #expect(fields["txt"] == Array("caption \(i)".utf8))
            #expect(fields["cls"] == Array("\(i % 3)".utf8))
        }
    }
}
