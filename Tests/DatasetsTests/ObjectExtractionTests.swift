import Foundation
import Imaging
import Testing
@testable import Datasets

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
        #expect(object.objectBox == PixelBox(x: 50, y: 25, width: 100, height: 50))
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
        #expect(object.objectBox == PixelBox(x: 20, y: 120, width: 60, height: 60))
        #expect(object.cutout[30, 30] == RGBA8(200, 0, 0))
    }
}
