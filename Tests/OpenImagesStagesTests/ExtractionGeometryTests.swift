import Foundation
import Testing
import Imaging
@testable import Datasets
@testable import OpenImagesStages

@Suite("Extraction geometry")
struct ExtractionGeometryTests {
    @Test("resize framing: CustomNet's whole-photo resize")
    func resize() {
        var config = ExtractionConfig()
        config.targetFraming = .resize
        let plan = ExtractionPlan(imageWidth: 1024, imageHeight: 768, object: PixelRect(x: 100, y: 200, width: 300, height: 150), config: config)
        #expect(plan.targetCrop == PixelRect(x: 0, y: 0, width: 1024, height: 768))
        #expect(plan.targetBBox == PixelRect(x: 25, y: 67, width: 75, height: 50))
    }

    @Test("square framing: margin, centring, shifting inside, padding when too large")
    func square() {
        let plan = ExtractionPlan(imageWidth: 1024, imageHeight: 768, object: PixelRect(x: 100, y: 200, width: 300, height: 150))
        #expect(plan.targetCrop == PixelRect(x: 55, y: 80, width: 390, height: 390))
        #expect(plan.targetBBox == PixelRect(x: 30, y: 79, width: 196, height: 98))
        #expect(plan.referenceSize == (200, 100) && plan.referenceOrigin == (28, 78))

        let corner = ExtractionPlan(imageWidth: 1024, imageHeight: 768, object: PixelRect(x: 0, y: 0, width: 100, height: 50))
        #expect(corner.targetCrop == PixelRect(x: 0, y: 0, width: 130, height: 130))
        #expect(corner.targetBBox.x == 0 && corner.targetBBox.y == 0)

        let large = ExtractionPlan(imageWidth: 400, imageHeight: 300, object: PixelRect(x: 50, y: 20, width: 300, height: 260))
        #expect(large.targetCrop == PixelRect(x: 5, y: -45, width: 390, height: 390))
        #expect(large.targetBBox.y > 0)
    }

    @Test("reference framing: long side 200 centred on 256, optional no-upscale")
    func reference() {
        let small = PixelRect(x: 10, y: 10, width: 50, height: 40)
        let up = ExtractionPlan(imageWidth: 640, imageHeight: 480, object: small)
        #expect(up.referenceSize == (200, 160) && up.referenceOrigin == (28, 48))
        var config = ExtractionConfig()
        config.referenceUpscale = false
        let keep = ExtractionPlan(imageWidth: 640, imageHeight: 480, object: small, config: config)
        #expect(keep.referenceSize == (50, 40) && keep.referenceOrigin == (103, 108))
    }

    @Test("mask orientation follows the mask's aspect")
    func orientation() {
        #expect(MaskOrientation.rotationFor(maskWidth: 1600, maskHeight: 1200, storedWidth: 1024, storedHeight: 768, rotation: .counterClockwise90) == 90)
        #expect(MaskOrientation.rotationFor(maskWidth: 1200, maskHeight: 1600, storedWidth: 1024, storedHeight: 768, rotation: .counterClockwise90) == 0)
        #expect(MaskOrientation.rotationFor(maskWidth: 1600, maskHeight: 1200, storedWidth: 1024, storedHeight: 768, rotation: .upsideDown) == 180)
        #expect(MaskOrientation.rotationFor(maskWidth: 1600, maskHeight: 1200, storedWidth: 1024, storedHeight: 768, rotation: nil) == 0)
    }

    @Test("extraction config decodes with defaults")
    func config() throws {
        let decoded = try JSONDecoder().decode(ExtractionConfig.self, from: Data(#"{"targetFraming": "resize"}"#.utf8))
        var expected = ExtractionConfig()
        expected.targetFraming = .resize
        #expect(decoded == expected)
    }
}
