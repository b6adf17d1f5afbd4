import Foundation
import Testing
import TestSupport
@testable import Datasets

@Suite("Mask-to-box join and object filters")
struct JoinAndFilterTests {
    @Test("join by ImageID + LabelName + coordinates within 1e-6")
    func join() throws {
        let folder = TestPaths.scratchFolder("join")
        let segmentation = writeSample(Samples.segmentation, name: "seg.csv", in: folder)
        let boxes = writeSample([
            Samples.boxHeader13,
            // exact match for mask 1 (677c.../m/04yx4), truncated
            "677c122b0eaa5d16,xclick,/m/04yx4,1,0.131250,0.846875,0.155000,0.961667,0,1,0,0,0",
            // same image and label, different box: must not join
            "677c122b0eaa5d16,xclick,/m/04yx4,1,0.2,0.3,0.2,0.3,1,1,1,1,1",
            // mask 2 within 1e-7: joins, occluded
            "0001eeaf4aed83f9,xclick,/m/0cmf2,1,0.0226731,0.964201,0.071038,0.800546,1,0,0,0,0",
            // mask 3 off by 3e-6 on XMax: near miss, must not join
            "0001eeaf4aed83f9,xclick,/m/0k4j,1,0.100000,0.300003,0.100000,0.300000,0,0,1,0,0",
            // right coordinates, wrong label: must not join
            "0001eeaf4aed83f9,xclick,/m/0cmf3,1,0.100000,0.300000,0.100000,0.300000,0,0,1,0,0",
            "0001eeaf4aed83f9,xclick,/m/0k4j,1,bad,0.3,0.1,0.3,0,0,0,0,0",
        ].joined(separator: "\n") + "\n", name: "boxes.csv", in: folder)
        var joined: [JoinedMask] = []
        let stats = try MaskBoxJoin(chunkSize: 64).run(segmentationCSV: segmentation, boxCSVs: [boxes]) { joined.append($0) }
        // The same join split into 1..4 parallel byte ranges gives the same result.
        for threads in 1...4 {
            var again: [JoinedMask] = []
            let split = try MaskBoxJoin(chunkSize: 16, threads: threads, parallelMinimumBytes: 0)
                .run(segmentationCSV: segmentation, boxCSVs: [boxes]) { again.append($0) }
            #expect(again == joined)
            #expect(split.malformed == stats.malformed && split.matched == stats.matched && split.boxRows == stats.boxRows)
            #expect(split.boxScanParts == threads)
        }
        #expect(stats.masks == 3)
        #expect(stats.matched == 2)
        #expect(stats.unmatched == 1)
        #expect(joined.map(\.line) == [2, 4, 6])
        #expect(joined[0].flags == BoxFlags(isOccluded: .no, isTruncated: .yes, isGroupOf: .no, isDepiction: .no, isInside: .no))
        #expect(joined[1].flags?.isOccluded == .yes)
        #expect(joined[2].flags == nil)
        #expect(stats.malformed.total == 3)  // two mask rows, one probed box row
        #expect(stats.malformed.kept.map(\.line) == [3, 5, 7])
        #expect(stats.malformed.kept[2].file == boxes)
    }

    @Test("parallel box scan: duplicates resolved in file order, quoted files fall back to one thread")
    func parallelScan() throws {
        let folder = TestPaths.scratchFolder("join-parallel")
        let segmentation = writeSample(Samples.segmentationHeader + "\n"
            + "0001eeaf4aed83f9_m0k4j_c0ffee00.png,0001eeaf4aed83f9,/m/0k4j,c0ffee00,0.100000,0.300000,0.100000,0.300000,0.75,\n",
            name: "seg.csv", in: folder)
        var lines = [Samples.boxHeader13]
        for k in 0..<40 { lines.append("00000000000000\(String(format: "%02d", k)),xclick,/m/0k4j,1,0.1,0.3,0.1,0.3,0,0,0,0,0") }
        lines.append("0001eeaf4aed83f9,xclick,/m/0k4j,1,0.1,0.3,0.1,0.3,1,0,0,0,0")  // first match: occluded
        for _ in 0..<40 { lines.append("0001eeaf4aed83f9,xclick,/m/0k4j,1,0.1,0.3,0.1,0.3,0,0,0,0,0") }  // later duplicates
        let boxes = writeSample(lines.joined(separator: "\n") + "\n", name: "boxes.csv", in: folder)
        for threads in [1, 3] {
            var joined: [JoinedMask] = []
            let stats = try MaskBoxJoin(threads: threads, parallelMinimumBytes: 0).run(segmentationCSV: segmentation, boxCSVs: [boxes]) { joined.append($0) }
            #expect(joined.first?.flags?.isOccluded == .yes)
            #expect(stats.matched == 1 && stats.duplicateMatches == 40)
        }
        let quoted = writeSample(lines.joined(separator: "\n").replacingOccurrences(of: "xclick", with: "\"x\nclick\"") + "\n", name: "quoted.csv", in: folder)
        var joined: [JoinedMask] = []
        let stats = try MaskBoxJoin(threads: 3, parallelMinimumBytes: 0).run(segmentationCSV: segmentation, boxCSVs: [quoted]) { joined.append($0) }
        #expect(stats.boxScanParts == 1 && stats.boxRows == 81 && stats.malformed.total == 0)
        #expect(joined.first?.flags?.isOccluded == .yes)
    }

    @Test("filters: every reason kind")
    func filters() {
        let good = NormalizedBox(xMin: 0.1, xMax: 0.6, yMin: 0.1, yMax: 0.6)
        let config = ObjectFilterConfig()
        #expect(ObjectFilter.check(ObjectCandidate(box: good, predictedIoU: 0.9, flags: BoxFlags(), imageSize: (1024, 768))) == nil)
        func kind(_ candidate: ObjectCandidate, _ config: ObjectFilterConfig = ObjectFilterConfig()) -> String? {
            ObjectFilter.check(candidate, config: config)?.kind
        }
        #expect(kind(ObjectCandidate(box: NormalizedBox(xMin: 0, xMax: 0.1, yMin: 0, yMax: 0.1))) == "box-area-too-small")
        #expect(kind(ObjectCandidate(box: NormalizedBox(xMin: 0, xMax: 1, yMin: 0, yMax: 0.95))) == "box-area-too-large")
        #expect(kind(ObjectCandidate(box: good, imageSize: (80, 80))) == "object-too-small")
        #expect(kind(ObjectCandidate(box: good, predictedIoU: 0.3)) == "low-predicted-iou")
        #expect(kind(ObjectCandidate(box: good, flags: BoxFlags(isGroupOf: .yes))) == "group-of")
        #expect(kind(ObjectCandidate(box: good, flags: BoxFlags(isDepiction: .yes))) == "depiction")
        #expect(kind(ObjectCandidate(box: good, flags: BoxFlags(isInside: .yes))) == "inside")
        #expect(kind(ObjectCandidate(box: good, flags: BoxFlags(isTruncated: .yes))) == "truncated")
        #expect(kind(ObjectCandidate(box: good, flags: BoxFlags(isOccluded: .yes))) == nil)
        var strict = config
        strict.excludeOccluded = true
        strict.excludeUnmatched = true
        strict.minBoxSideFraction = 0.1
        #expect(kind(ObjectCandidate(box: good, flags: BoxFlags(isOccluded: .yes)), strict) == "occluded")
        #expect(kind(ObjectCandidate(box: good), strict) == "no-box-match")
        #expect(kind(ObjectCandidate(box: NormalizedBox(xMin: 0, xMax: 0.05, yMin: 0, yMax: 0.9), flags: BoxFlags()), strict) == "box-side-too-small")
        var lenient = config
        lenient.excludeTruncated = false
        #expect(kind(ObjectCandidate(box: good, flags: BoxFlags(isTruncated: .yes)), lenient) == nil)
        #expect(ObjectFilter.checkMask(foregroundPixels: 0, largestComponentPixels: 0, touchesBorder: false)?.kind == "empty-mask")
        #expect(ObjectFilter.checkMask(foregroundPixels: 100, largestComponentPixels: 80, touchesBorder: false)?.kind == "fragmented-mask")
        #expect(ObjectFilter.checkMask(foregroundPixels: 100, largestComponentPixels: 95, touchesBorder: true)?.kind == "mask-touches-border")
        #expect(ObjectFilter.checkMask(foregroundPixels: 100, largestComponentPixels: 95, touchesBorder: true, config: lenient) == nil)
        let rejection = ObjectFilter.check(ObjectCandidate(box: NormalizedBox(xMin: 0, xMax: 0.1, yMin: 0, yMax: 0.1)))!
        #expect(rejection.message == "box area 0.01 of the image is below 0.02")
    }

    @Test("filter config decodes with defaults for absent fields")
    func config() throws {
        let decoded = try JSONDecoder().decode(ObjectFilterConfig.self, from: Data(#"{"minBoxArea": 0.05, "excludeOccluded": true}"#.utf8))
        var expected = ObjectFilterConfig()
        expected.minBoxArea = 0.05
        expected.excludeOccluded = true
        #expect(decoded == expected)
        #expect(try JSONDecoder().decode(ObjectFilterConfig.self, from: Data("{}".utf8)) == ObjectFilterConfig())
    }
}
