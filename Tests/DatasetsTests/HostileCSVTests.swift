import Foundation
import Testing
import Support
import TestSupport
@testable import Datasets

/// One bad row never sinks a file: unterminated quotes, over-long lines, escaping paths and
/// non-finite rotations are each one malformed row, and every other row is still read.
@Suite("Hostile CSV rows")
struct HostileCSVTests {
    static func segmentationRow(_ k: Int, maskPath: String? = nil, imageID: String? = nil) -> String {
        let image = imageID ?? String(format: "%016x", 0xA000 + k)
        let mask = maskPath ?? "\(image)_m04yx4_\(String(format: "%08x", k)).png"
        return "\(mask),\(image),/m/04yx4,\(String(format: "%08x", k)),0.1,0.5,0.1,0.5,0.9,"
    }

    static func readSegmentation(_ text: String) throws -> (rows: [SegmentationRow], malformed: MalformedRowLog) {
        let reader = try SegmentationCSVReader(path: writeSample(text))
        var rows: [SegmentationRow] = []
        try reader.forEach { rows.append($0) }
        return (rows, reader.malformed)
    }

    @Test("an unterminated quote on line 2 costs that line only: the reader resynchronises at line 3")
    func unterminatedQuote() throws {
        var lines = [Samples.segmentationHeader, "\"" + Self.segmentationRow(0)]
        for k in 1..<50 { lines.append(Self.segmentationRow(k)) }
        let (rows, malformed) = try Self.readSegmentation(lines.joined(separator: "\n") + "\n")
        #expect(rows.count == 49)
        #expect(malformed.total == 1 && malformed.kept.first?.line == 2, "\(malformed.kept)")
    }

    @Test("a stray quote closed lines later (the record parses but is wrong) costs its first line only")
    func quoteClosedLater() throws {
        var lines = [Samples.segmentationHeader]
        for k in 0..<10 { lines.append(Self.segmentationRow(k)) }
        lines[2] = lines[2].replacingOccurrences(of: "/m/04yx4", with: "\"/m/04yx4")
        lines[6] = lines[6].replacingOccurrences(of: "/m/04yx4", with: "/m/04yx4\"")
        let (rows, malformed) = try Self.readSegmentation(lines.joined(separator: "\n") + "\n")
        // Line 7's quote sits inside an unquoted field: a literal character, as in Python's csv.
        #expect(rows.count == 9, "\(malformed.kept)")
        #expect(malformed.kept.map(\.line) == [3])
    }

    @Test("one 100 MB line is refused without holding it, and the rows after it are read")
    func hundredMegabyteLine() throws {
        let folder = TestPaths.scratchFolder("longline")
        let path = folder.appendingPathComponent("seg.csv").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.write(Data((Samples.segmentationHeader + "\n" + Self.segmentationRow(0) + "\n").utf8))
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<100 { handle.write(block) }
        handle.write(Data(("\n" + (1..<20).map { Self.segmentationRow($0) }.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        let reader = try SegmentationCSVReader(path: path)
        var rows = 0
        while try reader.next() != nil { rows += 1 }
        #expect(rows == 20)
        #expect(reader.malformed.total == 1)
        #expect(reader.malformed.kept.first?.line == 3)
        #expect(reader.malformed.kept.first?.reason.contains("longer than") == true)
    }

    @Test("the line cap is the same at every chunk size, and lines are counted past a skipped line")
    func capAtAnyChunkSize() throws {
        let text = "a,b\n1,2\n" + String(repeating: "z", count: 5000) + ",3\n4,5\n\"open,6\n7,8\n"
        for chunk in [1 << 20, 4096, 100, 7] {
            let reader = try CSVReader(path: writeSample(text), chunkSize: chunk, maximumRecordBytes: 1000)
            var seen: [(Int, [String], String?)] = []
            while try reader.next() { seen.append((reader.lineNumber, reader.strings(), reader.structuralProblem)) }
            #expect(seen.map(\.0) == [1, 2, 3, 4, 5, 6], "chunk \(chunk)")
            #expect(seen.filter { $0.2 == nil }.map(\.1) == [["a", "b"], ["1", "2"], ["4", "5"], ["7", "8"]], "chunk \(chunk)")
        }
    }

    @Test("MaskPath or ImageID that would leave the dataset root is a malformed row naming the field")
    func escapingPaths() throws {
        let text = [Samples.segmentationHeader, Self.segmentationRow(0),
                    Self.segmentationRow(1, maskPath: "../../../../tmp/x/evil.png"),
                    Self.segmentationRow(2, maskPath: "a_m04yx4_2.png", imageID: "../../../../etc/passwd"),
                    Self.segmentationRow(3, maskPath: "/tmp/x/evil.png"),
                    Self.segmentationRow(4, maskPath: "sub/dir.png"),
                    Self.segmentationRow(5)].joined(separator: "\n") + "\n"
        let (rows, malformed) = try Self.readSegmentation(text)
        #expect(rows.count == 2)
        #expect(malformed.kept.map(\.line) == [3, 4, 5, 6])
        #expect(malformed.kept[0].reason.contains("MaskPath") && malformed.kept[1].reason.contains("ImageID"))
        #expect(malformed.kept.allSatisfy { !$0.reason.contains("\n") })
        // The join (pass 1 indexes with the same check) emits only the good rows.
        let folder = TestPaths.scratchFolder("escjoin")
        let seg = writeSample(text, name: "seg.csv", in: folder)
        let boxes = writeSample(Samples.boxHeader13 + "\n", name: "boxes.csv", in: folder)
        var joined: [String] = []
        let stats = try MaskBoxJoin().run(segmentationCSV: seg, boxCSVs: [boxes]) { joined.append($0.mask.maskPath) }
        #expect(joined.count == 2 && joined.allSatisfy { !$0.contains("/") })
        #expect(stats.malformed.total == 4)
    }

    @Test("a Rotation of inf, -inf or 1e300 is one malformed row; the rest of the image list is kept")
    func nonFiniteRotation() throws {
        for text in ["inf", "-inf", "1e300", "nan(0x1)", "9223372036854775808"] {
            if case .success = ImageRotation.parse(text) { Issue.record("\(text) parsed as a rotation") }
        }
        let list = ["ImageID,Subset,OriginalSize,Rotation", "000000000000000a,train,10,90", "000000000000000b,train,10,inf",
                    "000000000000000c,train,9999999999999999999,180", "000000000000000d,train,10,-inf"].joined(separator: "\n") + "\n"
        let table = try RotationTable(imageList: writeSample(list))
        #expect(table.rotation(of: "000000000000000a") == .counterClockwise90)
        #expect(table.rotation(of: "000000000000000c") == .upsideDown)
        #expect(table.malformed.total == 2)
        #expect(table.imagesListed == 2)
    }

    @Test("a 19-digit integer above Int.max is not a number, not a trap")
    func integerOverflow() {
        for text in ["9999999999999999999", "-9999999999999999999", "9223372036854775808"] {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { FastNumber.int($0) } == nil, "\(text)")
        }
        #expect(Array("9223372036854775807".utf8).withUnsafeBufferPointer { FastNumber.int($0) } == Int.max)
    }

    @Test("an over-long JSON line in a narratives file is skipped; the lines after it are read")
    func overlongNarrative() throws {
        let good = #"{"dataset_id":"open_images","image_id":"000000000000000a","annotator_id":1,"caption":"a cat"}"#
        let text = good + "\n{\"caption\":\"" + String(repeating: "y", count: 5000) + "\"}\n" + good + "\n"
        let lines = try LineReader(path: writeSample(text, name: "n.jsonl"), chunkSize: 64, maximumLineBytes: 1024)
        var read: [Int] = []
        while try lines.next({ _ in }) { read.append(lines.lineNumber) }
        #expect(read == [1, 3])
        #expect(lines.overlong.total == 1 && lines.overlong.kept.first?.line == 2)
    }
}
