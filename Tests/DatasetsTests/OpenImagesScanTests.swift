import Foundation
import Testing
import TestSupport
@testable import Datasets

@Suite("Open Images scan")
struct OpenImagesScanTests {
    @Test("layout -> classes -> join -> filters, every object with its verdict")
    func scan() throws {
        let root = TestPaths.scratchFolder("scan")
        _ = writeSample(Samples.segmentation, name: "validation-annotations-object-segmentation.csv", in: root)
        _ = writeSample([
            Samples.boxHeader13,
            "677c122b0eaa5d16,xclick,/m/04yx4,1,0.131250,0.846875,0.155000,0.961667,0,1,0,0,0",
            "0001eeaf4aed83f9,xclick,/m/0cmf2,1,0.022673,0.964201,0.071038,0.800546,0,0,0,0,0",
            "0001eeaf4aed83f9,xclick,/m/0k4j,1,0.100000,0.300000,0.100000,0.300000,0,0,0,0,0",
        ].joined(separator: "\n") + "\n", name: "validation-annotations-bbox.csv", in: root)
        _ = writeSample("/m/04yx4,Man\n/m/0k4j,Car\n", name: "class-descriptions-boxable.csv", in: root)
        _ = writeSample(ImageListSchema.columns.joined(separator: ",") + "\n677c122b0eaa5d16,validation,u,l,lic,ap,a,t,1,m,th,90.0\n0001eeaf4aed83f9,validation,u,l,lic,ap,a,t,1,m,th,\n",
                        name: "validation-images-with-rotation.csv", in: root)
        let layout = OpenImagesLayout(root: root.path, split: "validation")
        var objects: [OpenImagesObject] = []
        let report = try OpenImagesObjects.scan(layout: layout) { objects.append($0) }
        #expect(objects.map(\.itemKey) == ["677c122b0eaa5d16_m04yx4_9a041d52", "0001eeaf4aed83f9_m0cmf2_b2c3d4e5", "0001eeaf4aed83f9_m0k4j_c0ffee00"])
        #expect(objects.map(\.displayName) == ["Man", nil, "Car"])
        #expect(objects.map { $0.rejection?.kind } == ["truncated", nil, nil])
        #expect(report.kept == 2 && report.rejected == ["truncated": 1])
        #expect(report.join.malformed.total == 2)

        let rotations = try RotationTable(imageList: try #require(layout.imageList))
        #expect(rotations.rotation(of: "677c122b0eaa5d16") == .counterClockwise90)
        #expect(rotations.rotation(of: "0001eeaf4aed83f9") == nil)
        #expect(rotations.imagesListed == 2)

        #expect(throws: DatasetFileError.self) {
            try OpenImagesObjects.scan(layout: OpenImagesLayout(root: root.path, split: "train")) { _ in }
        }
    }
}
