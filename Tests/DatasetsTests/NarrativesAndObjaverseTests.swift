import Foundation
import Testing
import TestSupport
@testable import Datasets

@Suite("Localized Narratives and Objaverse readers")
struct NarrativesAndObjaverseTests {
    @Test("narratives: full and caption-only variants, malformed lines")
    func narratives() throws {
        let full = """
        {"dataset_id": "open_images", "image_id": "0000092d4fd0d6d1", "annotator_id": 93, "caption": "In this picture we can see a car.", "timed_caption": [{"utterance": "In this", "start_time": 0.0, "end_time": 0.4}, {"utterance": "picture", "start_time": 0.4, "end_time": 1.2}], "traces": [[{"x": 0.1, "y": 0.2, "t": 0.0}, {"x": 0.15, "y": 0.25, "t": 0.05}]], "voice_recording": "open_images_train/open_images_train_0000092d4fd0d6d1_93.ogg"}\r
        {"dataset_id": "open_images", "image_id": "000009d9e3bb3b33", "annotator_id": 12,
        {"dataset_id": "open_images", "annotator_id": 12, "caption": "no image"}

        {"dataset_id": "open_images", "image_id": "00000b4dcff7f799", "annotator_id": "7", "caption": "A \\"quoted\\" dog.", "timed_caption": [], "traces": [], "voice_recording": "x.ogg"}
        """
        let path = writeSample(full, name: "open_images_validation_localized_narratives.jsonl")
        let reader = try LocalizedNarrativesReader(path: path)
        var rows: [LocalizedNarrative] = []
        try reader.forEach { rows.append($0) }
        for chunk in [1, 7, 100] {
            let small = try LocalizedNarrativesReader(path: path, chunkSize: chunk)
            var again: [LocalizedNarrative] = []
            try small.forEach { again.append($0) }
            #expect(again == rows)
            #expect(small.malformed == reader.malformed)
        }
        #expect(rows.count == 2)
        #expect(rows[0].imageID == "0000092d4fd0d6d1" && rows[0].annotatorID == "93")
        #expect(rows[0].timedCaption?.map(\.utterance) == ["In this", "picture"])
        #expect(rows[0].timedCaption?[1].endTime == 1.2)
        #expect(rows[0].voiceRecording?.hasSuffix(".ogg") == true)
        #expect(rows[1].caption == "A \"quoted\" dog." && rows[1].annotatorID == "7")
        #expect(reader.malformed.kept.map(\.line) == [2, 3])
        #expect(reader.malformed.kept[1].reason == "missing field image_id")

        let captions = "{\"image_id\": \"0000092d4fd0d6d1\", \"caption\": \"A car.\"}\n{\"dataset_id\": \"open_images\", \"image_id\": \"aa\", \"annotator_id\": 1, \"caption\": \"B\"}"
        let short = try LocalizedNarrativesReader(path: writeSample(captions, name: "open_images_validation_captions.jsonl"))
        var captionRows: [LocalizedNarrative] = []
        try short.forEach { captionRows.append($0) }
        let table = try CaptionTable(files: [path, writeSample(captions, name: "c.jsonl")])
        #expect(table.narratives == 4 && table.duplicates == 1 && table.malformed.total == 2)
        #expect(table["0000092d4fd0d6d1"] == "In this picture we can see a car.")
        #expect(table["aa"] == "B")
        #expect(captionRows == [LocalizedNarrative(datasetID: nil, imageID: "0000092d4fd0d6d1", caption: "A car."),
                                LocalizedNarrative(imageID: "aa", annotatorID: "1", caption: "B")])
    }

    static let uidA = "8476c4170df24cf5bbe6967222d1a42d"
    static let uidB = "0a0b0c0d0e0f00112233445566778899"
    static let metadataJSON = """
    {"\(uidA)": {"uid": "\(uidA)", "name": "Chair", "tags": [{"name": "chair", "slug": "chair"}, {"name": "Wood", "slug": "wood"}],
      "categories": [{"name": "Furniture & Home", "slug": "furniture-home"}], "license": "by", "faceCount": 1204, "vertexCount": 700,
      "viewerUrl": "https://sketchfab.com/3d-models/x", "archives": {"glb": {"size": 100}}},
     "\(uidB)": {"name": "Lamp", "tags": [], "categories": ["lighting"], "license": null, "faceCount": "many"}}
    """

    @Test("Objaverse layout, metadata gz and plain, object paths, asset scan")
    func objaverse() throws {
        let root = TestPaths.scratchFolder("objaverse")
        _ = writeSample(Self.metadataJSON, name: "metadata/000-000.json", in: root)
        _ = writeSample(Self.metadataJSON.replacingOccurrences(of: "Chair", with: "Chair2"), name: "metadata/000-001.json", in: root)
        try #require(try run(["gzip", "metadata/000-001.json"], in: root) == 0)
        _ = writeSample("{\"\(Self.uidA)\": \"glbs/000-000/\(Self.uidA).glb\"}", name: "object-paths.json", in: root)
        try #require(try run(["gzip", "object-paths.json"], in: root) == 0)
        _ = writeSample("not json", name: "metadata/000-002.json", in: root)
        _ = writeSample("glTF", name: "glbs/000-000/\(Self.uidA).glb", in: root)
        _ = writeSample("glTF", name: "glbs/000-001/\(Self.uidB).GLB", in: root)
        _ = writeSample("ply", name: "extra/Scans/bunny.ply", in: root)
        _ = writeSample("obj", name: "extra/chair.obj", in: root)
        _ = writeSample("x", name: "extra/.hidden/skip.glb", in: root)
        _ = writeSample("x", name: "extra/readme.txt", in: root)

        let layout = ObjaverseLayout(root: root.path)
        #expect(layout.missing.isEmpty)
        #expect(layout.metadataFiles.count == 3)
        #expect(try layout.loadObjectPaths() == [Self.uidA: "glbs/000-000/\(Self.uidA).glb"])
        var problems = MalformedRowLog()
        let metadata = layout.loadMetadata(problems: &problems)
        #expect(problems.total == 1 && problems.kept[0].file.hasSuffix("000-002.json"))
        let chair = try #require(metadata[Self.uidA])
        #expect(chair.name == "Chair")  // first file wins
        #expect(chair.tags.map(\.slug) == ["chair", "wood"])
        #expect(chair.categories == [ObjaverseMetadata.Label(name: "Furniture & Home", slug: "furniture-home")])
        #expect(chair.license == "by" && chair.faceCount == 1204 && chair.vertexCount == 700)
        let lamp = try #require(metadata[Self.uidB])
        #expect(lamp.categories.map(\.name) == ["lighting"] && lamp.license == nil && lamp.faceCount == nil)
        let gz = try ObjaverseMetadata.load(path: root.path + "/metadata/000-001.json.gz")
        #expect(gz[Self.uidA]?.name == "Chair2")

        let assets = try AssetScan.scan(root.path)
        #expect(assets.map(\.relativePath) == ["extra/Scans/bunny.ply", "extra/chair.obj",
                                               "glbs/000-000/\(Self.uidA).glb", "glbs/000-001/\(Self.uidB).GLB"])
        #expect(assets[2].id == Self.uidA && assets[2].isObjaverseUID)
        #expect(assets[3].id == Self.uidB && assets[3].format == .glb)
        #expect(assets[0].id.hasPrefix("p") && assets[0].id.count == 17 && !assets[0].isObjaverseUID)
        #expect(AssetScan.asset(relativePath: "extra/Scans/bunny.ply", format: .ply).id == assets[0].id)
        #expect(ObjaverseLayout(root: root.path + "/extra").missing.count == 1)

        _ = writeSample("{\"chair\": [\"\(Self.uidA)\"], \"furniture\": [\"\(Self.uidA)\", \"ffffffffffffffffffffffffffffffff\"]}", name: "lvis-annotations.json", in: root)
        let (scanned, report) = try ObjaverseAssets.scan(root: root.path)
        #expect(scanned.count == 4 && report.assets == 4 && report.withMetadata == 2 && report.listedButMissing == 0)
        #expect(scanned[2].lvisCategories == ["chair", "furniture"] && scanned[2].metadata?.name == "Chair")
        #expect(scanned[0].metadata == nil && scanned[0].lvisCategories.isEmpty)
        #expect(report.problems.total == 1)
    }

    @Test("gzip inflation refuses corrupt and oversized data")
    func gzip() throws {
        let root = TestPaths.scratchFolder("gz")
        _ = writeSample(String(repeating: "a", count: 100_000), name: "big.txt", in: root)
        try #require(try run(["gzip", "big.txt"], in: root) == 0)
        #expect(try Inflate.gunzipFile(root.path + "/big.txt.gz").count == 100_000)
        #expect(throws: DatasetFileError.self) { try Inflate.gunzipFile(root.path + "/big.txt.gz", limit: 1000) }
        var bytes = try Data(contentsOf: root.appendingPathComponent("big.txt.gz"))
        bytes = bytes.prefix(bytes.count / 2)
        try bytes.write(to: root.appendingPathComponent("cut.gz"))
        #expect(throws: DatasetFileError.self) { try Inflate.gunzipFile(root.path + "/cut.gz") }
    }
}
