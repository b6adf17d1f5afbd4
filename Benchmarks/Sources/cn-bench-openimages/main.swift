// cn-bench-openimages: the scale benchmark of the Open Images readers (scripts/bench/openimages_ingest).
//   cn-bench-openimages generate DIR [MASKS] [BOXES]   write segmentation.csv and boxes.csv in the real formats
//   cn-bench-openimages scan DIR                       the CSV reader alone over boxes.csv
//   cn-bench-openimages zipread ZIP                    index ZIP, read the entries listed in ZIP.names in random order
//   cn-bench-openimages extract N                      N object extractions (1024x768 JPEG, 1600x1200 mask)
//   cn-bench-openimages join DIR                       run the mask-to-box join + filters, print rows/s and peak RSS
import Datasets
import Imaging
import OpenImagesStages
import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// A buffered writer of ASCII bytes.
final class ByteWriter {
    private var buffer: [UInt8] = []
    private let handle: FileHandle
    init(path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        handle = FileHandle(forWritingAtPath: path)!
        buffer.reserveCapacity(9 << 20)
    }
    @inline(__always) func text(_ s: StaticString) {
        s.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }
    @inline(__always) func byte(_ b: UInt8) { buffer.append(b) }
    @inline(__always) func bytes(_ b: [UInt8]) { buffer.append(contentsOf: b) }
    /// A fraction in [0, 1] given as millionths, printed "0.123456" (6 digits, like the real files).
    @inline(__always) func micro(_ value: Int) {
        if value >= 1_000_000 { text("1.000000"); return }
        buffer.append(0x30); buffer.append(0x2E)
        var divisor = 100_000
        while divisor > 0 { buffer.append(UInt8(0x30 + (value / divisor) % 10)); divisor /= 10 }
    }
    @inline(__always) func hex(_ value: UInt64, digits: Int) {
        let table: [UInt8] = Array("0123456789abcdef".utf8)
        for k in stride(from: digits - 1, through: 0, by: -1) { buffer.append(table[Int((value >> (4 * UInt64(k))) & 15)]) }
    }
    func flushIfNeeded() { if buffer.count > 8 << 20 { flush() } }
    func flush() { handle.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
    func close() { flush(); try? handle.close() }
}

func generate(folder: String, masks: Int, boxes: Int) {
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var random = SeededRandom(seed: 20_231_124)
    let labels: [[UInt8]] = (0..<600).map { _ in
        let alphabet = Array("0123456789bcdfghjklmnpqrstvwxz_".utf8)
        return Array("/m/0".utf8) + (0..<(3 + random.integer(below: 3))).map { _ in alphabet[random.integer(below: alphabet.count)] }
    }
    let seg = ByteWriter(path: folder + "/segmentation.csv")
    let box = ByteWriter(path: folder + "/boxes.csv")
    seg.text("MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks\n")
    box.text("ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside,XClick1X,XClick2X,XClick3X,XClick4X,XClick1Y,XClick2Y,XClick3Y,XClick4Y\n")
    let every = max(1, boxes / max(1, masks))
    var image: UInt64 = 0x0000_2b66_c9c4_98e0
    var masksWritten = 0
    for g in 0..<boxes {
        if g % 8 == 0 { image &+= UInt64(1 + random.integer(below: 1 << 24)) }  // sorted ids, 8 boxes an image
        let label = labels[random.integer(below: min(labels.count, 40 + Int(image % 560)))]
        let x0 = random.integer(below: 700_000), y0 = random.integer(below: 700_000)
        let x1 = x0 + 10_000 + random.integer(below: 290_000), y1 = y0 + 10_000 + random.integer(below: 290_000)
        let flags = (0..<5).map { _ in random.integer(below: 10) == 0 ? UInt8(0x31) : UInt8(0x30) }
        box.hex(image, digits: 16); box.text(",xclick,"); box.bytes(label); box.text(",1,")
        box.micro(x0); box.byte(0x2C); box.micro(x1); box.byte(0x2C); box.micro(y0); box.byte(0x2C); box.micro(y1)
        for f in flags { box.byte(0x2C); box.byte(f) }
        for _ in 0..<8 { box.byte(0x2C); box.micro(random.integer(below: 1_000_000)) }
        box.byte(0x0A)
        box.flushIfNeeded()
        if g % every == 0 && masksWritten < masks {
            masksWritten += 1
            let boxID = random.next() & 0xFFFF_FFFF
            let bare = label.filter { $0 != 0x2F }
            seg.hex(image, digits: 16); seg.byte(0x5F); seg.bytes(bare); seg.byte(0x5F); seg.hex(boxID, digits: 8); seg.text(".png,")
            seg.hex(image, digits: 16); seg.byte(0x2C); seg.bytes(label); seg.byte(0x2C); seg.hex(boxID, digits: 8); seg.byte(0x2C)
            seg.micro(x0); seg.byte(0x2C); seg.micro(x1); seg.byte(0x2C); seg.micro(y0); seg.byte(0x2C); seg.micro(y1)
            seg.byte(0x2C); seg.micro(400_000 + random.integer(below: 600_000)); seg.byte(0x2C)
            for c in 0..<6 {
                if c > 0 { seg.byte(0x3B) }
                seg.micro(random.integer(below: 1_000_000)); seg.byte(0x20); seg.micro(random.integer(below: 1_000_000))
                seg.byte(0x20); seg.byte(c == 5 ? 0x30 : 0x31)
            }
            seg.byte(0x0A)
            seg.flushIfNeeded()
        }
    }
    seg.close()
    box.close()
    print("wrote \(masksWritten) masks and \(boxes) boxes to \(folder)")
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func join(folder: String) throws {
    let start = Date()
    var kept = 0
    var rejected: [String: Int] = [:]
    let config = ObjectFilterConfig()
    let stats = try MaskBoxJoin().run(segmentationCSV: folder + "/segmentation.csv", boxCSVs: [folder + "/boxes.csv"]) { joined in
        if let rejection = ObjectFilter.check(ObjectCandidate(joined), config: config) {
            rejected[rejection.kind, default: 0] += 1
        } else {
            kept += 1
        }
    }
    let seconds = Date().timeIntervalSince(start)
    let rows = stats.masks + stats.boxRows
    print("masks \(stats.masks), boxes \(stats.boxRows) (probed \(stats.boxRowsProbed)), matched \(stats.matched), unmatched \(stats.unmatched), duplicates \(stats.duplicateMatches), malformed \(stats.malformed.total)")
    print("passes (s): " + stats.passSeconds.map { String(format: "%.2f", $0) }.joined(separator: " / ") + " (index masks / scan boxes / emit masks + filter)")
    print("kept \(kept), rejected \(rejected.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    print(String(format: "swift: %.2f s, %.2f M input rows/s (masks read twice, counted once), index %.0f MB, peak RSS %.0f MB",
                 seconds, Double(rows) / seconds / 1e6, Double(stats.indexBytes) / 1e6, peakRSSMegabytes()))
}

/// The raw CSV reader alone: records and fields of the box file, and the coordinates parsed.
func scan(folder: String) throws {
    let start = Date()
    let reader = try CSVReader(path: folder + "/boxes.csv", chunkSize: 8 << 20)
    var records = 0, fields = 0
    var sum = 0.0
    while try reader.next() {
        records += 1
        fields += reader.fieldCount
        if records > 1, let x = reader.double(4) { sum += x }
    }
    let seconds = Date().timeIntervalSince(start)
    print(String(format: "csv scan: %d records, %d fields in %.2f s: %.2f M records/s (checksum %.1f), peak RSS %.0f MB",
                 records, fields, seconds, Double(records) / seconds / 1e6, sum, peakRSSMegabytes()))
}

/// Mask reads from a zip: index the central directory, then read every entry in a shuffled order.
func zipRead(path: String) throws {
    let rssBefore = peakRSSMegabytes()
    let start = Date()
    let index = try ZipIndex(path: path)
    let opened = Date().timeIntervalSince(start)
    let rssIndexed = peakRSSMegabytes()
    let names = try String(contentsOfFile: path + ".names", encoding: .utf8).split(separator: "\n").map(String.init)
    var random = SeededRandom(seed: 7)
    var order = names
    order.shuffle(using: &random)
    let readStart = Date()
    var bytes = 0
    for name in order { bytes += try index.read(name)?.count ?? 0 }
    let readSeconds = Date().timeIntervalSince(readStart)
    print(String(format: "zip: %d entries indexed in %.2f s (index ~%.0f MB of RSS), %d random reads in %.2f s: %.0f reads/s, %.0f MB inflated",
                 index.count, opened, rssIndexed - rssBefore, order.count, readSeconds, Double(order.count) / readSeconds, Double(bytes) / 1e6))
}

/// Object extraction on a 1024x768 JPEG photo and a 1600x1200 1-bit mask (the real sizes).
func extractBench(count: Int) throws {
    var photo = RGBAImage(width: 1024, height: 768, fill: RGBA8(40, 120, 40))
    var random = SeededRandom(seed: 3)
    for _ in 0..<200 {
        photo.fill(PixelRect(x: random.integer(below: 1000), y: random.integer(below: 740), width: 24, height: 24),
                   with: RGBA8(UInt8(random.integer(below: 256)), UInt8(random.integer(below: 256)), 90))
    }
    let jpeg = try JPEG.encode(photo)
    let rowBytes = (1600 + 7) / 8
    var rows = [UInt8](repeating: 0, count: rowBytes * 1200)
    for y in 300..<900 { for x in 400..<1100 { rows[y * rowBytes + x / 8] |= UInt8(0x80 >> (x % 8)) } }
    let mask = try PNG.encode(PNGImage(width: 1600, height: 1200, colorType: .gray, bitDepth: 1, rows: rows))
    let start = Date()
    var kept = 0
    for _ in 0..<count {
        if case .success = try ObjectExtraction.extract(photo: jpeg, mask: mask, rotation: ImageRotation.none) { kept += 1 }
    }
    let seconds = Date().timeIntervalSince(start)
    print(String(format: "extract: %d objects (%d kept) in %.2f s: %.1f objects/s on one thread (%.1f ms each), photo %d KB, mask %d KB",
                 count, kept, seconds, Double(count) / seconds, seconds / Double(count) * 1000, jpeg.count / 1024, mask.count / 1024))
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: cn-bench-openimages generate DIR [MASKS] [BOXES] | scan DIR | join DIR\n".utf8))
    exit(2)
}
switch arguments[1] {
case "generate":
    generate(folder: arguments[2], masks: arguments.count > 3 ? Int(arguments[3])! : 3_000_000,
             boxes: arguments.count > 4 ? Int(arguments[4])! : 15_000_000)
case "scan":
    do { try scan(folder: arguments[2]) } catch {
        FileHandle.standardError.write(Data((oneLine(error) + "\n").utf8))
        exit(1)
    }
case "zipread":
    do { try zipRead(path: arguments[2]) } catch {
        FileHandle.standardError.write(Data((oneLine(error) + "\n").utf8))
        exit(1)
    }
case "extract":
    do { try extractBench(count: Int(arguments[2]) ?? 50) } catch {
        FileHandle.standardError.write(Data((oneLine(error) + "\n").utf8))
        exit(1)
    }
case "join":
    do { try join(folder: arguments[2]) } catch {
        FileHandle.standardError.write(Data((oneLine(error) + "\n").utf8))
        exit(1)
    }
default:
    FileHandle.standardError.write(Data("unknown command \(arguments[1])\n".utf8))
    exit(2)
}
