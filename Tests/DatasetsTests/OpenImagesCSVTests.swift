import Foundation
import Testing
import TestSupport
@testable import Datasets

/// Real headers and rows in the published shapes (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html).
enum Samples {
    static let segmentationHeader = "MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks"
    static let boxHeader21 = "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside,XClick1X,XClick2X,XClick3X,XClick4X,XClick1Y,XClick2Y,XClick3Y,XClick4Y"
    static let boxHeader13 = "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside"

    /// Line 1 header, 2 good, 3 bad number, 4 good (CRLF, empty IoU), 5 too few fields, 6 good.
    static let segmentation = [
        segmentationHeader,
        "677c122b0eaa5d16_m04yx4_9a041d52.png,677c122b0eaa5d16,/m/04yx4,9a041d52,0.131250,0.846875,0.155000,0.961667,0.86165,0.39375 0.60833 1;0.5 0.5 0",
        "677c122b0eaa5d16_m0k4j_aaaaaaaa.png,677c122b0eaa5d16,/m/0k4j,aaaaaaaa,zero,0.5,0.1,0.5,0.9,",
        "0001eeaf4aed83f9_m0cmf2_b2c3d4e5.png,0001eeaf4aed83f9,/m/0cmf2,b2c3d4e5,0.022673,0.964201,0.071038,0.800546,,\r",
        "short,row",
        "0001eeaf4aed83f9_m0k4j_c0ffee00.png,0001eeaf4aed83f9,/m/0k4j,c0ffee00,0.100000,0.300000,0.100000,0.300000,0.75,\"0.1 0.2 1\"",
    ].joined(separator: "\n") + "\n"
}

@Suite("Open Images CSV readers")
struct OpenImagesCSVTests {
    @Test("segmentation rows, malformed rows with line numbers")
    func segmentation() throws {
        let reader = try SegmentationCSVReader(path: writeSample(Samples.segmentation))
        var rows: [SegmentationRow] = []
        try reader.forEach { rows.append($0) }
        #expect(rows.count == 3)
        #expect(rows[0].maskPath == "677c122b0eaa5d16_m04yx4_9a041d52.png")
        #expect(rows[0].labelName == "/m/04yx4")
        #expect(rows[0].box == NormalizedBox(xMin: 0.13125, xMax: 0.846875, yMin: 0.155, yMax: 0.961667))
        #expect(rows[0].predictedIoU == 0.86165)
        #expect(rows[0].clicks.count == 2)
        #expect(rows[0].clicks[1].positive == false)
        #expect(rows[1].predictedIoU == nil)
        #expect(rows[2].clicksField == "0.1 0.2 1")
        #expect(reader.malformed.total == 2)
        #expect(reader.malformed.kept.map(\.line) == [3, 5])
        #expect(reader.malformed.kept[0].reason.contains("BoxXMin"))
        #expect(reader.malformed.kept[1].reason.contains("expected"))
        #expect(reader.malformed.kept[0].description.hasSuffix(".csv:3: BoxXMin is not a number: \"zero\""))
    }

    @Test("box CSV with 21 and 13 columns, flags")
    func boxes() throws {
        let text21 = Samples.boxHeader21 + "\n000002b66c9c498e,xclick,/m/01g317,1,0.012500,0.195312,0.148438,0.587500,0,1,0,0,0,0.148438,0.012500,0.059375,0.195312,0.148438,0.357812,0.587500,0.325000\n000002b66c9c498e,activemil,/m/0284d,1,0.5,0.6,0.5,0.6,-1,,1,0,0,,,,,,,,\n"
        let rows21 = try collect(BoxCSVReader(path: writeSample(text21)))
        #expect(rows21.count == 2)
        #expect(rows21[0].flags == BoxFlags(isOccluded: .no, isTruncated: .yes, isGroupOf: .no, isDepiction: .no, isInside: .no))
        #expect(rows21[1].flags.isOccluded == .unknown && rows21[1].flags.isTruncated == .unknown && rows21[1].flags.isGroupOf == .yes)
        let text13 = Samples.boxHeader13 + "\r\n0001eeaf4aed83f9,xclick,/m/0cmf2,1,0.022673,0.964201,0.071038,0.800546,0,0,0,0,0\r\n0001eeaf4aed83f9,xclick,/m/0cmf2,1,0.1,0.2,0.3,0.4,0,2,0,0,0\r\n"
        let reader = try BoxCSVReader(path: writeSample(text13))
        var rows13: [BoxRow] = []
        try reader.forEach { rows13.append($0) }
        #expect(rows13.count == 1)
        #expect(rows13[0].source == "xclick" && rows13[0].confidence == 1)
        #expect(reader.malformed.kept.first?.line == 3)
        #expect(reader.malformed.kept.first?.reason.contains("IsTruncated") == true)
    }

    @Test("missing columns are a clear file error")
    func missingColumns() throws {
        #expect(throws: DatasetFileError.self) { try BoxCSVReader(path: writeSample("ImageID,LabelName\na,b\n")) }
        let error = #expect(throws: DatasetFileError.self) { try SegmentationCSVReader(path: writeSample("ImageID,LabelName\n")) }
        #expect(error?.kind == "missing-columns")
        #expect(error?.message.contains("MaskPath") == true)
    }

    @Test("class descriptions with and without header")
    func classes() throws {
        var log = MalformedRowLog()
        let plain = try ClassDescriptions(path: writeSample("/m/011k07,Tortoise\n/m/011q46kg,Container\n/m/012074,\"Magpie, common\"\n"), malformed: &log)
        #expect(!plain.hadHeader)
        #expect(plain.names.count == 3)
        #expect(plain["/m/011k07"] == "Tortoise")
        #expect(plain["/m/012074"] == "Magpie, common")
        let headed = try ClassDescriptions(path: writeSample("LabelName,DisplayName\r\n/m/011k07,Tortoise\r\nbroken\r\n"), malformed: &log)
        #expect(headed.hadHeader)
        #expect(headed.names == ["/m/011k07": "Tortoise"])
        #expect(log.total == 1 && log.kept[0].line == 3)
    }

    @Test("rotation parsing and the image list")
    func rotation() throws {
        #expect(try ImageRotation.parse("0").get() == ImageRotation.none)
        #expect(try ImageRotation.parse("90.0").get() == .counterClockwise90)
        #expect(try ImageRotation.parse("180").get() == .upsideDown)
        #expect(try ImageRotation.parse("270.0").get() == .counterClockwise270)
        #expect(try ImageRotation.parse("").get() == nil)
        #expect(try ImageRotation.parse("nan").get() == nil)
        #expect(throws: RowProblem.self) { try ImageRotation.parse("45").get() }
        let header = ImageListSchema.columns.joined(separator: ",")
        let text = header + "\n"
            + "000002b66c9c498e,train,https://c2.staticflickr.com/x.jpg,https://www.flickr.com/photos/x,https://creativecommons.org/licenses/by/2.0/,https://www.flickr.com/people/x,\"Author, Name\",\"Title \"\"quoted\"\"\",2046674,aaaa==,https://t.jpg,0.0\n"
            + "000002b97e5471a0,train,u,l,lic,ap,a,t,100,m,th,\n"
            + "000002c707c9895e,train,u,l,lic,ap,a,t,100,m,th,90\n"
            + "000002c707c9895f,train,u,l,lic,ap,a,t,100,m,th,33\n"
        let reader = try ImageListCSVReader(path: writeSample(text))
        let rows = try collect(reader)
        #expect(rows.map(\.rotation) == [ImageRotation.none, nil, .counterClockwise90])
        #expect(rows[0].author == "Author, Name" && rows[0].title == "Title \"quoted\"" && rows[0].originalSize == 2046674)
        #expect(reader.malformed.kept.map(\.line) == [5])
    }
}

func collect<Schema>(_ reader: TypedCSVReader<Schema>) throws -> [Schema.Row] {
    var rows: [Schema.Row] = []
    try reader.forEach { rows.append($0) }
    return rows
}
