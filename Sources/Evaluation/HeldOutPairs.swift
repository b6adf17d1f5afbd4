// The held-out pairs `cn-eval views` and `customize` score, read from the manifest's `sample` rows
// of a split (docs/CONTRACTS.md: the manifest is the source of truth; the shards hold the same pairs):
// - objaverse: the reference view i of an asset, T from i to j, and as the true target the plain
//   render of view j (the `view` row; the shard's target is view j composited into a scene);
// - openimages: the novel view (the sample's reference), T back to the photo, and as the true
//   target the object cut out of its photo (the extraction's ref.png, zero123 framing); only
//   objects whose mesh is known (fixture objects), whose novel views are exact renders.
import Foundation
import Geometry
import Manifest

/// One held-out pair.
public struct HeldOutPair: Sendable, Equatable {
    /// The sample id.
    public var id: String
    /// `objaverse` or `openimages`.
    public var kind: String
    /// Absolute paths: the reference view, the true target view, the shard target (scene), the concat image.
    public var reference: String, target: String, sceneTarget: String, concat: String?
    /// T = [Δpolar, sin Δaz, cos Δaz, Δradius] from reference to target.
    public var pose: [Float]
    /// The sample's caption ("" when none).
    public var caption: String
    /// The target box in the scene target (x, y, w, h).
    public var bbox: [Int]
    /// For fixture objects: the mesh and the photo's world-to-camera (row-major 3x4), for the exact-render baseline.
    public var meshPath: String?, worldToCamera: [Double]?
}

/// Reads held-out pairs from a workdir's manifest.
public enum HeldOutPairs {
    /// The pairs of `split` with a true target (every sample when `requireTrueTarget` is false: the
    /// target is then the scene target), and one line per sample left out (why).
    public static func load(workdir: String, split: String, requireTrueTarget: Bool = true) throws -> (pairs: [HeldOutPair], skipped: [(id: String, reason: String)]) {
        let root = URL(fileURLWithPath: workdir)
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent(ManifestStore.fileName).path) else {
            throw EvaluationError(.badInput, "\(workdir) has no \(ManifestStore.fileName) (run the pipeline first)")
        }
        let store = try ManifestStore.openExisting(workdir: root)
        func absolute(_ relative: String) -> String { relative.hasPrefix("/") ? relative : root.appendingPathComponent(relative).path }
        return try store.read { db in
            var pairs: [HeldOutPair] = [], skipped: [(id: String, reason: String)] = []
            for row in try SampleRecord.samples(db, split: split) {
                let id = String(row.id)
                var pair = HeldOutPair(id: id, kind: row.kind, reference: absolute(row.reference), target: "", sceneTarget: absolute(row.target),
                                       concat: row.concat.map(absolute),
                                       pose: [row.polar, row.azimuthSin, row.azimuthCos, row.radius].map(Float.init),
                                       caption: row.caption ?? "", bbox: [row.bboxX, row.bboxY, row.bboxW, row.bboxH])
                let parts = row.source.split(separator: "/").map(String.init)
                if !requireTrueTarget {
                    pair.target = pair.sceneTarget
                } else if row.kind == "objaverse" {
                    let views = parts.count > 2 ? parts[2].split(separator: "-").compactMap { Int($0) } : []
                    guard views.count == 2, let view = try ViewRecord.find(db, asset: parts[1], index: views[1]) else {
                        skipped.append((id, "source \(row.source) names no rendered target view")); continue
                    }
                    pair.target = absolute(view.image)
                } else {
                    guard parts.count > 3, let source = try SynthesisSource.find(db, objectID: parts[3]) else {
                        skipped.append((id, "source \(row.source) names no extracted object")); continue
                    }
                    guard let mesh = source.mesh, let text = source.worldToCamera,
                          let matrix = try? JSONDecoder().decode([Double].self, from: Data(text.utf8)), WorldToCamera(rowMajor3x4: matrix) != nil else {
                        skipped.append((id, "object \(parts[3]) has no known mesh, so its reference is not an exact view")); continue
                    }
                    pair.target = absolute(source.referencePNG)
                    pair.meshPath = mesh
                    pair.worldToCamera = matrix
                }
                pairs.append(pair)
            }
            return (pairs, skipped)
        }
    }
}
