import Foundation
import Imaging
import Testing
import TestSupport
@testable import Datasets
@testable import OpenImagesStages

/// A gray PNG mask of the given bit depth with `value` inside each rectangle (x0, y0, x1, y1).
func maskPNG(width: Int, height: Int, bitDepth: Int, value: Int, rects: [(Int, Int, Int, Int)]) throws -> [UInt8] {
    var samples = [Int](repeating: 0, count: width * height)
    for (x0, y0, x1, y1) in rects { for y in y0..<y1 { for x in x0..<x1 { samples[y * width + x] = value } } }
    let rowBytes = (width * bitDepth + 7) / 8
    var rows = [UInt8](repeating: 0, count: rowBytes * height)
    for y in 0..<height {
        for x in 0..<width {
            let v = samples[y * width + x]
            switch bitDepth {
            case 16:
                rows[y * rowBytes + 2 * x] = UInt8(v >> 8); rows[y * rowBytes + 2 * x + 1] = UInt8(v & 0xFF)
            case 8:
                rows[y * rowBytes + x] = UInt8(v)
            default:
                let perByte = 8 / bitDepth
                let shift = (perByte - 1 - x % perByte) * bitDepth
                rows[y * rowBytes + x / perByte] |= UInt8(v << shift)
            }
        }
    }
    return try PNG.encode(PNGImage(width: width, height: height, colorType: .gray, bitDepth: bitDepth, rows: rows))
}

/// An RGBA photo PNG: red left half, blue right half.
func photoPNG(width: Int, height: Int) throws -> [UInt8] {
    var image = RGBAImage(width: width, height: height, fill: RGBA8(200, 0, 0))
    image.fill(PixelRect(x: width / 2, y: 0, width: width - width / 2, height: height), with: RGBA8(0, 0, 200))
    return try PNG.encode(PNGImage(width: width, height: height, colorType: .rgba, bitDepth: 8, rows: image.pixels))
}

@Suite("Object extraction")
struct ObjectExtractionTests {
    var filter: ObjectFilterConfig {
        var config = ObjectFilterConfig()
        config.minObjectSidePixels = 10
        return config
    }

    @Test("mask at mask resolution, box from the mask, framing and outputs")
    func extract() throws {
        let photo = try photoPNG(width: 200, height: 100)
        let mask = try maskPNG(width: 400, height: 200, bitDepth: 1, value: 1, rects: [(100, 50, 300, 150)])
        let object = try ObjectExtraction.extract(photo: photo, mask: mask, rotation: ImageRotation.none, filter: filter).get()
        #expect(object.objectBox == PixelRect(x: 50, y: 25, width: 100, height: 50))
        #expect(object.cutout.width == 100 && object.cutout.height == 50)
        #expect(object.reference.width == 256 && object.reference.height == 256)
        #expect(object.reference[0, 0] == RGBA8.white)
        #expect(object.reference[60, 128] == RGBA8(200, 0, 0))
        #expect(object.reference[200, 128] == RGBA8(0, 0, 200))
        #expect(object.target.width == 256 && object.targetMask.width == 256)
        #expect(object.bbox == object.plan.targetBBox)
        let maskBox = try #require(object.targetMask.boundingBox())
        #expect(abs(maskBox.x - object.bbox.x) <= 1 && abs(maskBox.width - object.bbox.width) <= 1)
        #expect(object.largestComponentShare == 1)
    }

    @Test("bit depths: 16-bit non-zero is foreground, 8-bit needs > 127")
    func bitDepths() throws {
        let sixteen = try ObjectExtraction.binaryMask(maskPNG(width: 8, height: 8, bitDepth: 16, value: 1, rects: [(2, 2, 6, 6)]))
        #expect(sixteen.count(above: 0) == 16)
        let eightLow = try ObjectExtraction.binaryMask(maskPNG(width: 8, height: 8, bitDepth: 8, value: 100, rects: [(2, 2, 6, 6)]))
        #expect(eightLow.count(above: 0) == 0)
        let eightHigh = try ObjectExtraction.binaryMask(maskPNG(width: 8, height: 8, bitDepth: 8, value: 255, rects: [(2, 2, 6, 6)]))
        #expect(eightHigh.count(above: 0) == 16)
        for depth in [1, 2, 4] {
            let packed = try ObjectExtraction.binaryMask(maskPNG(width: 13, height: 5, bitDepth: depth, value: 1, rects: [(3, 1, 11, 4)]))
            #expect(packed.count(above: 0) == 24)
            #expect(packed.boundingBox() == PixelRect(x: 3, y: 1, width: 8, height: 3))
        }
    }

    @Test("through a layout: photo from {split}/{ImageID}.jpg, mask from the zip, rotation from the image list")
    func throughLayout() throws {
        let root = TestPaths.scratchFolder("extract-layout")
        let imageID = "0123456789abcdef"
        let maskName = "\(imageID)_m0k4j_c0ffee00.png"
        var photo = RGBAImage(width: 160, height: 120, fill: RGBA8(30, 160, 30))
        photo.fill(PixelRect(x: 40, y: 30, width: 60, height: 50), with: RGBA8(220, 220, 20))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("validation"), withIntermediateDirectories: true)
        try Data(JPEG.encode(photo)).write(to: root.appendingPathComponent("validation/\(imageID).jpg"))
        try Data(maskPNG(width: 320, height: 240, bitDepth: 8, value: 255, rects: [(80, 60, 200, 160)])).write(to: root.appendingPathComponent(maskName))
        try #require(try run(["zip", "-q", "-m", "validation-masks-0.zip", maskName], in: root) == 0)
        _ = writeSample(ImageListSchema.columns.joined(separator: ",") + "\n\(imageID),validation,u,l,lic,ap,a,t,1,m,th,0\n",
                        name: "validation-images-with-rotation.csv", in: root)
        let layout = OpenImagesLayout(root: root.path, split: "validation")
        let row = SegmentationRow(maskPath: maskName, imageID: imageID, labelName: "/m/0k4j", boxID: "c0ffee00",
                                  box: NormalizedBox(xMin: 0.25, xMax: 0.625, yMin: 0.25, yMax: 0.667), predictedIoU: 0.9)
        let rotations = try RotationTable(imageList: try #require(layout.imageList))
        let object = try ObjectExtraction.extract(row, layout: layout, masks: layout.maskSource(), rotations: rotations, filter: filter).get()
        #expect(object.objectBox == PixelRect(x: 40, y: 30, width: 60, height: 50))
        let centre = object.reference[128, 128]
        #expect(abs(Int(centre.r) - 220) < 12 && abs(Int(centre.g) - 220) < 12 && centre.b < 50)
        var missing = row
        missing.maskPath = "\(imageID)_m0k4j_00000000.png"
        #expect(throws: DatasetFileError.self) {
            try ObjectExtraction.extract(missing, layout: layout, masks: layout.maskSource(), rotations: rotations)
        }
    }

    @Test("mask checks yield stable reasons")
    func rejections() throws {
        let photo = try photoPNG(width: 200, height: 100)
        func kind(_ mask: [UInt8]) throws -> String? {
            if case .failure(let rejection) = try ObjectExtraction.extract(photo: photo, mask: mask, rotation: nil, filter: filter) {
                return rejection.kind
            }
            return nil
        }
        #expect(try kind(maskPNG(width: 200, height: 100, bitDepth: 8, value: 100, rects: [(10, 10, 50, 50)])) == "empty-mask")
        #expect(try kind(maskPNG(width: 200, height: 100, bitDepth: 8, value: 255, rects: [(10, 10, 40, 40), (100, 10, 130, 40)])) == "fragmented-mask")
        #expect(try kind(maskPNG(width: 200, height: 100, bitDepth: 8, value: 255, rects: [(0, 10, 40, 40)])) == "mask-touches-border")
        #expect(try kind(maskPNG(width: 200, height: 100, bitDepth: 8, value: 255, rects: [(10, 10, 15, 40)])) == "object-too-small")
        #expect(throws: (any Error).self) { try ObjectExtraction.extract(photo: Array("not an image".utf8), mask: [], rotation: nil) }
    }

    @Test("rotation turns the photo and a stored-orientation mask together")
    func rotation() throws {
        let photo = try photoPNG(width: 200, height: 100)
        let mask = try maskPNG(width: 400, height: 200, bitDepth: 1, value: 1, rects: [(40, 40, 160, 160)])
        let object = try ObjectExtraction.extract(photo: photo, mask: mask, rotation: .counterClockwise90, filter: filter).get()
        #expect(object.imageWidth == 100 && object.imageHeight == 200)
        // The red left half of the stored photo is the bottom half once turned counter-clockwise.
        #expect(object.objectBox == PixelRect(x: 20, y: 120, width: 60, height: 60))
        #expect(object.cutout[30, 30] == RGBA8(200, 0, 0))
    }
}
