import Foundation
import Shards
import Support
import TestSupport
import Testing

@Suite("customnet and zero123 exports")
struct ExportTests {
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9]

    @Test("customnet sample folder: fixed names, meta.json as CustomNet's loader reads it")
    func customnet() throws {
        let root = TestPaths.scratchFolder("export-customnet").path
        let meta = CustomNetMeta(subject: "car", caption: "an old car parked in front of a house",
                                 bbox: PixelBox(x: 22, y: 37, width: 212, height: 121), views: CustomNetMeta.mirroredViews(polar: 59, azimuth: 48))
        let folder = try CustomNetExport.write(root: root, name: "0000000007", input: Self.jpeg, mask: Self.jpeg, views: [Self.jpeg, Self.jpeg], meta: meta)
        #expect(SampleFactory.files(in: folder) == ["input.jpg", "mask.jpg", "meta.json", "multi_view_00.jpg", "multi_view_01.jpg"])
        #expect(SampleFactory.files(in: root) == ["0000000007"])
        let text = String(decoding: SampleFactory.bytes(folder + "/meta.json"), as: UTF8.self)
        #expect(text == "{\"bbox\":[22,37,212,121],\"caption\":\"an old car parked in front of a house\",\"sbj_txt\":\"car\",\"view\":[[59,48,0],[-59,-48,0]]}")
        #expect(throws: ShardError.self) {
            try CustomNetExport.write(root: root, name: "x", input: [1, 2, 3, 4], mask: Self.jpeg, views: [Self.jpeg, Self.jpeg], meta: meta)
        }
        #expect(throws: ShardError.self) {
            try CustomNetExport.write(root: root, name: "y", input: Self.jpeg, mask: Self.jpeg, views: [Self.jpeg], meta: meta)
        }
        #expect(SampleFactory.files(in: root) == ["0000000007"])
    }

    @Test("zero123 views_release layout: {i:03d}.png + (3,4) float32 .npy, valid_paths.json")
    func zero123() throws {
        let root = TestPaths.scratchFolder("export-zero123").path
        let png = TinyPNG.rgb(width: 4, height: 4) { _, _ in (1, 2, 3) }
        let poses: [[Float]] = (0..<12).map { view in (0..<12).map { Float(view) + Float($0) * 0.5 } }
        let folder = try Zero123Export.writeObject(root: root, uid: "8a3f", views: poses.map { Zero123Export.View(png: png, pose: $0) })
        let names = SampleFactory.files(in: folder)
        #expect(names.count == 24)
        #expect(names.first == "000.npy" && names.last == "011.png")
        let decoded = try NPY.decode(SampleFactory.bytes(folder + "/005.npy"))
        #expect(decoded.shape == [3, 4])
        #expect(decoded.values == poses[5].map(Double.init))
        try Zero123Export.writeValidPaths(root: root, uids: ["8a3f", "77"])
        #expect(String(decoding: SampleFactory.bytes(root + "/valid_paths.json"), as: UTF8.self) == "[\"8a3f\",\"77\"]")
        #expect(throws: ShardError.self) { try Zero123Export.writeObject(root: root, uid: "bad", views: [.init(png: png, pose: [1, 2])]) }
    }
}
