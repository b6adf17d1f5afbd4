import Foundation
import Imaging
import Manifest
import Shards

/// A contact sheet for auditing samples (`cn-manifest sheet`): one row per sample with its
/// reference view, its concat image (built as CustomNet's loader builds it) and its target with
/// the box drawn, then the id, kind, split, T and the caption printed under them.
public enum SampleSheet {
    /// Renders the samples `ids` of the manifest in `workdir` (tiles of `tile` pixels).
    public static func render(ids: [Int64], workdir: URL, manifest: ManifestStore, tile: Int = 192) throws -> RGBAImage {
        let rows = try manifest.read { db in
            try SampleRecord.samples(db, ids: ids)
        }
        guard !rows.isEmpty else { throw ShardError(.noSamples, "none of the requested sample ids is in the manifest") }
        let gap = 8, textHeight = 40, width = 3 * tile + 4 * gap
        var sheet = RGBAImage(width: width, height: rows.count * (tile + textHeight + gap) + gap, fill: .white)
        for (index, row) in rows.enumerated() {
            let top = gap + index * (tile + textHeight + gap)
            let reference = try ImageFile.loadRGBA(workdir.appendingPathComponent(row.reference).path)
            var target = try ImageFile.loadRGBA(workdir.appendingPathComponent(row.target).path)
            let bbox = PixelBox(x: row.bboxX, y: row.bboxY, width: row.bboxW, height: row.bboxH)
            let concat = try ConcatBuilder.build(reference: reference, bbox: bbox, imageWidth: target.width, imageHeight: target.height)
            target.stroke(PixelRect(x: bbox.x, y: bbox.y, width: bbox.width, height: bbox.height), with: RGBA8(255, 40, 40), lineWidth: 2)
            for (column, image) in [reference, concat, target].enumerated() {
                let fitted = image.composited(over: .white).resized(width: tile, height: tile)
                sheet.paste(fitted, atX: gap + column * (tile + gap), y: top)
            }
            let t = [row.polar, row.azimuthSin, row.azimuthCos, row.radius].map { String(format: "%.3f", $0) }
            let header = "#\(row.id) \(row.kind) \(row.split)  T=[\(t.joined(separator: ", "))]"
            _ = sheet.drawText(header, atX: gap, y: top + tile + 6, color: .black, scale: 1)
            let caption = row.caption ?? "(no caption)"
            let perLine = (width - 2 * gap) / 6
            for (line, start) in stride(from: 0, to: min(caption.count, 2 * perLine), by: perLine).enumerated() {
                let text = String(caption.dropFirst(start).prefix(perLine))
                _ = sheet.drawText(text, atX: gap, y: top + tile + 18 + 10 * line, color: RGBA8(60, 60, 60), scale: 1)
            }
        }
        return sheet
    }
}
