import Foundation
import Testing
import TestSupport
import ZIPFoundation
@testable import Datasets


@Suite("Mask sources and the Open Images layout")
struct MaskSourceTests {
    /// Fake PNG-like payloads (compressible and not) named like real masks.
    static let masks: [(name: String, bytes: [UInt8])] = [
        ("a1b2c3d4e5f60718_m04yx4_9a041d52.png", Array(repeating: 0, count: 5000) + [1, 2, 3]),
        ("a1b2c3d4e5f60718_m0k4j_00000001.png", (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }),
        ("0001eeaf4aed83f9_m0cmf2_b2c3d4e5.png", Array("\u{89}PNG fake".utf8)),
    ]

    @Test("masks from real zips (deflate and stored), chosen by the first hex digit, shared by threads")
    func zips() async throws {
        let root = TestPaths.scratchFolder("maskzip")
        for mask in Self.masks { _ = FileManager.default.createFile(atPath: root.appendingPathComponent(mask.name).path, contents: Data(mask.bytes)) }
        try #require(try run(["zip", "-q", "train-masks-a.zip", Self.masks[0].name, Self.masks[1].name], in: root) == 0)
        // The 0 archive is stored (no compression) with forced ZIP64 records.
        try #require(try run(["zip", "-q", "-0", "-fz", "train-masks-0.zip", Self.masks[2].name], in: root) == 0)
        for mask in Self.masks { try FileManager.default.removeItem(at: root.appendingPathComponent(mask.name)) }

        let source = MaskZipSet(folder: root.path, split: "train")
        for mask in Self.masks {
            let imageID = String(mask.name.prefix(16))
            #expect(try source.maskBytes(maskPath: mask.name, imageID: imageID) == mask.bytes)
        }
        #expect(try source.maskBytes(maskPath: "a1b2c3d4e5f60718_m0k4j_ffffffff.png", imageID: "a1b2c3d4e5f60718") == nil)
        #expect(throws: DatasetFileError.self) { try source.maskBytes(maskPath: "b0000000000000000_x.png", imageID: "b000000000000000") }

        // Concurrent readers share the archives.
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for k in 0..<32 {
                let mask = Self.masks[k % Self.masks.count]
                group.addTask { try source.maskBytes(maskPath: mask.name, imageID: String(mask.name.prefix(16))) == mask.bytes }
            }
            for try await ok in group { #expect(ok) }
        }
        let layout = OpenImagesLayout(root: root.path, split: "train")
        #expect(layout.maskZips.count == 2)
        #expect(layout.missing.contains { $0.contains("train-masks-1.zip") })
    }

    @Test("zips written by ZIPFoundation (deflate and stored, many entries) read back through the index")
    func zipFoundationArchive() throws {
        let root = TestPaths.scratchFolder("zipfoundation")
        let url = root.appendingPathComponent("validation-masks-f.zip")
        let archive = try Archive(url: url, accessMode: .create)
        var expected: [String: Data] = [:]
        for k in 0..<500 {
            let name = String(format: "f%015x_m0k4j_%08x.png", k, k * 7919)
            let data = Data((0..<(50 + k)).map { UInt8(truncatingIfNeeded: ($0 * k) >> 2) })
            expected[name] = data
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: k % 2 == 0 ? .deflate : .none) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        let index = try ZipIndex(path: url.path)
        #expect(index.count == 500)
        let source = MaskZipSet(folder: root.path, split: "validation")
        for (name, data) in expected {
            #expect(try source.maskBytes(maskPath: name, imageID: String(name.prefix(16))) == Array(data))
        }
    }

    @Test("a corrupt zip is a clear error")
    func corruptZip() throws {
        let root = TestPaths.scratchFolder("badzip")
        _ = FileManager.default.createFile(atPath: root.appendingPathComponent("train-masks-0.zip").path, contents: Data("not a zip".utf8))
        let source = MaskZipSet(folder: root.path, split: "train")
        #expect(throws: DatasetFileError.self) { try source.maskBytes(maskPath: "x.png", imageID: "0000000000000000") }
    }

    @Test("masks from a folder, flat or per zip")
    func folder() throws {
        let root = TestPaths.scratchFolder("maskfolder")
        let flat = root.appendingPathComponent("train-masks")
        try FileManager.default.createDirectory(at: flat.appendingPathComponent("train-masks-0"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: flat.appendingPathComponent(Self.masks[0].name).path, contents: Data(Self.masks[0].bytes))
        _ = FileManager.default.createFile(atPath: flat.appendingPathComponent("train-masks-0/" + Self.masks[2].name).path, contents: Data(Self.masks[2].bytes))
        let layout = OpenImagesLayout(root: root.path, split: "train")
        let source = layout.maskSource()
        #expect(source is MaskFolder)
        #expect(try source.maskBytes(maskPath: Self.masks[0].name, imageID: "a1b2c3d4e5f60718") == Self.masks[0].bytes)
        #expect(try source.maskBytes(maskPath: Self.masks[2].name, imageID: "0001eeaf4aed83f9") == Self.masks[2].bytes)
        #expect(try source.maskBytes(maskPath: Self.masks[1].name, imageID: "a1b2c3d4e5f60718") == nil)
    }

    @Test("layout finds the files of a split and names what is missing")
    func layout() throws {
        let root = TestPaths.scratchFolder("layout")
        let empty = OpenImagesLayout(root: root.path, split: "validation")
        #expect(empty.missing.count == 5)
        #expect(empty.missing[0].hasSuffix("validation-annotations-object-segmentation.csv (the mask list)"))
        for name in ["validation-annotations-object-segmentation.csv", "validation-annotations-bbox.csv",
                     "validation-images-with-rotation.csv", "oidv7-class-descriptions.csv",
                     "open_images_validation_localized_narratives.jsonl", "validation/0001eeaf4aed83f9.jpg",
                     "validation-masks-0.zip"] {
            _ = writeSample("x", name: name, in: root)
        }
        let layout = OpenImagesLayout(root: root.path, split: "validation")
        #expect(layout.segmentationCSV != nil && layout.boxCSVs.count == 1 && layout.imageList != nil)
        #expect(layout.narratives.count == 1 && layout.classDescriptions != nil)
        _ = writeSample("x", name: "open_images_validation_captions.jsonl", in: root)
        #expect(OpenImagesLayout(root: root.path, split: "validation").narratives == [root.path + "/open_images_validation_captions.jsonl"])
        #expect(layout.imagePath(of: "0001eeaf4aed83f9") == root.path + "/validation/0001eeaf4aed83f9.jpg")
        #expect(layout.missing == ["mask archive(s) " + "123456789abcdef".map { "validation-masks-\($0).zip" }.joined(separator: ", ") + " in \(root.path)"])
        let train = OpenImagesLayout(root: root.path, split: "train")
        #expect(train.missing.contains { $0.contains("oidv6-train-annotations-bbox.csv") })
        #expect(train.imageList == nil)
        _ = writeSample("ImageID\n", name: "oidv7-train-images-with-labels-with-rotation.csv", in: root)
        #expect(OpenImagesLayout(root: root.path, split: "train").imageList == root.path + "/oidv7-train-images-with-labels-with-rotation.csv")
    }
}
