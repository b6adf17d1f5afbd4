import Foundation
import Shards
import Support
import TestSupport
import Testing
import Geometry

@Suite("interop: Python webdataset and GNU tar read the shards")
struct WebDatasetInteropTests {
    @Test("without a usable Python the interop tests fail with a message naming CN_PYTHON")
    func missingPython() {
        do {
            _ = try PythonRunner.interpreter(candidates: ["/nonexistent/python", "/bin/false"])
            Issue.record("a bogus interpreter was accepted")
        } catch {
            #expect("\(error)".contains("CN_PYTHON"))
        }
    }

    @Test("webdataset reads every sample with the expected keys, fields, image sizes and T; tar -tvf lists the members")
    func pythonReadsShards() throws {
        let folder = TestPaths.scratchFolder("interop-wds").path
        let ids = Array(0..<23)
        let writer = try ShardSequenceWriter(folder: folder, split: "train", limits: ShardLimits(maxSamples: 5))
        var expectations: [JSONValue] = []
        for id in ids {
            let sample = SampleFactory.sample(id: id)
            try writer.append(try sample.webDatasetSample())
            let (w, h) = SampleFactory.targetSize(id)
            expectations.append(.object([
                "key": .string(try WebDatasetSample.key(forSampleID: id)),
                "fields": .array(sample.fieldNames.map { .string($0) }),
                "sizes": .object(["target.png": .ints([w, h]), "ref.png": .ints([32, 32]), "concat.png": .ints([32, 32])]),
                "T": .doubles(sample.pose.components), "bbox": .ints(sample.bbox.components), "caption": .string(sample.caption),
                "split": .string(sample.split),
            ]))
        }
        let indexes = try writer.finish()
        #expect(indexes.count == 5)
        let spec = JSONValue.object([
            "shards": .array(indexes.map { .string(folder + "/" + $0.shard) }),
            "indexes": .array(indexes.map { .string(folder + "/" + ShardNaming.indexName(split: "train", number: $0.number)) }),
            "samples": .array(expectations),
        ])
        let specPath = folder + "/expect.json"
        try AtomicFile.write(try spec.encoded(), to: specPath)
        let result = try PythonRunner.runScript("webdataset_check.py", [specPath])
        #expect(result.status == 0, "webdataset check failed:\n\(result.out)\n\(result.err)")
        #expect(result.out.hasPrefix("OK 23 samples"))

        for index in indexes {
            let listing = try PythonRunner.run(executable: "/usr/bin/tar", ["-tvf", folder + "/" + index.shard])
            #expect(listing.status == 0, "GNU tar refused \(index.shard): \(listing.err)")
            let names = listing.out.split(separator: "\n").map { String($0.split(separator: " ").last ?? "") }
            let entries = try TarReader.read(path: folder + "/" + index.shard)
            #expect(names == entries.map(\.path))
            #expect(names.count == index.sampleCount * 5)
            #expect(names.first == index.firstKey + ".target.png")
            #expect(names.last == index.lastKey + ".json")
        }
    }
}
