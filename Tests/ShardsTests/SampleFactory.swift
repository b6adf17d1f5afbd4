import Foundation
import Shards
import Support
import Geometry

/// Deterministic CustomNet samples with small real PNGs, for shard tests.
enum SampleFactory {
    static func targetSize(_ id: Int) -> (Int, Int) { (48 + id % 5 * 8, 40 + id % 3 * 8) }

    static func pose(_ id: Int) -> RelativePose {
        let polar = Double(id % 60 - 30) * .pi / 180, azimuth = Double(id * 7 % 120 - 60) * .pi / 180
        return RelativePose(polar: polar, azimuthSin: sin(azimuth), azimuthCos: cos(azimuth), radius: Double(id % 3) * 0.1)
    }

    static func sample(id: Int, split: String = "train", salt: UInt8 = 0) -> CustomNetSample {
        let (w, h) = targetSize(id)
        let target = TinyPNG.rgb(width: w, height: h) { x, y in (UInt8((x * 5 + id) & 0xFF), UInt8((y * 3) & 0xFF), salt) }
        let reference = TinyPNG.rgb(width: 32, height: 32) { x, y in (255, UInt8((x + y + id) & 0xFF), 255) }
        let concat = TinyPNG.rgb(width: 32, height: 32) { x, y in (UInt8(x * 8), 255, UInt8(y * 8)) }
        return CustomNetSample(
            id: id, kind: id % 2 == 0 ? "objaverse" : "openimages", split: split, target: target,
            reference: reference, concat: concat, caption: "a thing number \(id) on a \"table\"\nnear a window",
            pose: pose(id), bbox: PixelBox(x: id % 7, y: id % 5, width: 20, height: 16), targetWidth: w, targetHeight: h,
            referenceMatrix: id % 2 == 0 ? (0..<12).map { Float($0) * 0.25 - 1 } : nil,
            targetMatrix: id % 2 == 0 ? (0..<12).map { Float($0) * 0.1 } : nil,
            view: id % 2 == 1 ? [Double(id % 60), Double(id % 50), 0] : nil,
            source: ["asset": "uid\(id / 3)", "view": "\(id % 12)"])
    }

    static func webDataset(ids: Range<Int>, salt: UInt8 = 0) throws -> [WebDatasetSample] {
        try ids.map { try sample(id: $0, salt: salt).webDatasetSample() }
    }

    static func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    static func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }
}
