import Foundation
import Imaging
import Testing
import TestSupport
import Datasets
import OpenImagesStages
@testable import Fixtures

@Suite("Open Images fixture, end to end")
struct OpenImagesFixtureTests {
    /// A mask of `width` x `height` with the rectangle (fractions of the size) set to 255.
    static func mask(_ width: Int, _ height: Int, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> GrayImage {
        var image = GrayImage(width: width, height: height)
        for y in Int(y0 * Double(height))..<Int(y1 * Double(height)) {
            for x in Int(x0 * Double(width))..<Int(x1 * Double(width)) { image.pixels[y * width + x] = 255 }
        }
        return image
    }

    @Test("fixture -> layout -> scan (join + filters) -> extraction, for validation and train")
    func endToEnd() throws {
        for split in ["validation", "train"] {
            let root = TestPaths.scratchFolder("fixture-\(split)").path
            var photo = RGBAImage(width: 320, height: 240, fill: RGBA8(30, 140, 30))
            photo.fill(PixelRect(x: 80, y: 60, width: 120, height: 90), with: RGBA8(230, 200, 20))
            let photos = [
                OpenImagesSplitWriter.Photo(imageID: "0a1b2c3d4e5f6071", image: photo, objects: [
                    .init(labelName: "/m/0k4j", displayName: "Car", mask: Self.mask(640, 480, 0.25, 0.25, 0.625, 0.625)),
                    .init(labelName: "/m/01g317", displayName: "Person", mask: Self.mask(640, 480, 0, 0.1, 0.2, 0.9),
                          flags: BoxFlags(isOccluded: .no, isTruncated: .yes, isGroupOf: .no, isDepiction: .no, isInside: .no)),
                ], caption: "A yellow \"car\" on grass."),
                OpenImagesSplitWriter.Photo(imageID: "f0e1d2c3b4a59687", image: photo, rotation: .counterClockwise90, objects: [
                    .init(labelName: "/m/0k4j", displayName: "Car", mask: Self.mask(640, 480, 0.25, 0.25, 0.625, 0.625), predictedIoU: nil),
                ]),
            ]
            #expect(try OpenImagesSplitWriter.write(root: root, split: split, photos: photos) == 3)
            let layout = OpenImagesLayout(root: root, split: split)
            #expect(layout.missing.isEmpty)
            #expect(layout.narratives.count == 1)
            var objects: [OpenImagesObject] = []
            let report = try OpenImagesObjects.scan(layout: layout) { objects.append($0) }
            #expect(report.join.matched == 3 && report.join.malformed.total == 0)
            #expect(objects.map { $0.rejection?.kind } == [nil, "truncated", nil])
            #expect(objects.map(\.displayName) == ["Car", "Person", "Car"])
            let captions = try CaptionTable(files: layout.narratives)
            #expect(captions["0a1b2c3d4e5f6071"] == "A yellow \"car\" on grass.")

            let rotations = try RotationTable(imageList: try #require(layout.imageList))
            let source = layout.maskSource()
            var filter = ObjectFilterConfig()
            filter.minObjectSidePixels = 16
            let upright = try ObjectExtraction.extract(objects[0].joined.mask, layout: layout, masks: source, rotations: rotations, filter: filter).get()
            #expect(upright.objectBox == PixelRect(x: 80, y: 60, width: 120, height: 90))
            let turned = try ObjectExtraction.extract(objects[2].joined.mask, layout: layout, masks: source, rotations: rotations, filter: filter).get()
            #expect(turned.imageWidth == 240 && turned.imageHeight == 320)
            #expect(turned.objectBox == PixelRect(x: 60, y: 120, width: 90, height: 120))
            let centre = turned.reference[128, 128]
            #expect(centre.r > 200 && centre.g > 170 && centre.b < 60)
        }
    }

    @Test("stored zip writer output is read by ZipIndex and by unzip")
    func storedZip() throws {
        let root = TestPaths.scratchFolder("storedzip")
        var writer = StoredZipWriter()
        writer.add(name: "a.png", data: [1, 2, 3])
        writer.add(name: "b.png", data: [])
        try Data(writer.finished()).write(to: root.appendingPathComponent("x.zip"))
        let index = try ZipIndex(path: root.path + "/x.zip")
        #expect(try index.read("a.png") == [1, 2, 3])
        #expect(try index.read("b.png") == [])
        #expect(try run(["unzip", "-tq", "x.zip"], in: root) == 0)
    }
}
