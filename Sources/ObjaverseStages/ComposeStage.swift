import Foundation
import Imaging
import Manifest
import Pipeline
import Support

/// `cn-compose` (Objaverse branch, CustomNet, arXiv:2310.19784 and github.com/TencentARC/CustomNet data/dataset.py): for each rendered asset, draws
/// (reference view, target view) pairs; the target view's object is placed into a background at
/// a sampled box (fully inside the canvas) with a contact shadow and colour matching, and the
/// reference view is framed as zero123's input (long side 200 on white 256). Writes
/// `compose/{asset}/{ref}-{target}/target.png` and `ref.png`; records a `composition` row
/// with the box in target pixels. The pose T comes from the two views' cameras (see cn-shard).
public struct ComposeStage: Stage {
    public let name = "compose"
    /// The settings.
    public let config: ComposeConfig
    private let backgrounds = BackgroundLibrary()

    /// Creates the stage.
    public init(config: ComposeConfig) {
        self.config = config
    }

    public func listItems(_ context: StageContext) throws -> [String] {
        try backgrounds.load(folder: config.backgrounds)
        let assets = try context.manifest.read { db in
            try ViewRecord.assets(db, withAtLeast: 2)
        }
        guard !assets.isEmpty else {
            throw RunnerError.cannotRun("the manifest has no rendered asset with two views or more: run `cn-render --workdir \(context.workdir.path)` first")
        }
        return assets
    }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        let views = try item.stage.manifest.read { db in
            try ViewRecord.views(db, asset: item.key)
        }.map { (index: $0.index, path: $0.image) }
        var pairs: [(Int, Int)] = []
        for a in views.indices { for b in views.indices where a != b { pairs.append((a, b)) } }
        pairs.shuffle(using: &item.random)
        var records: [any ItemRecord] = []
        var decoded: [Int: RGBAImage] = [:]
        func image(_ position: Int) throws -> RGBAImage {
            if let cached = decoded[position] { return cached }
            let loaded = try ImageFile.loadRGBA(item.url(views[position].path).path)
            decoded[position] = loaded
            return loaded
        }
        for (a, b) in pairs.prefix(config.pairsPerAsset) {
            let reference = views[a], target = views[b]
            let refImage = try image(a)
            let targetImage = try image(b)
            guard let framed = ObjectFraming.reference(refImage), let object = ObjectFraming.cutOut(targetImage) else {
                continue
            }
            let scene = try backgrounds.draw(size: config.size, random: &item.random)
            let longSide = Int((Double(config.size) * item.random.uniform(config.scaleMin, config.scaleMax)).rounded())
            let scale = Double(longSide) / Double(max(object.width, object.height))
            let w = max(1, min(config.size, Int((Double(object.width) * scale).rounded())))
            let h = max(1, min(config.size, Int((Double(object.height) * scale).rounded())))
            let x = item.random.integer(below: config.size - w + 1)
            let lowest = scene.horizon.map { max(0, min(config.size - h, $0 - h / 3)) } ?? 0
            let y = lowest + item.random.integer(below: config.size - h - lowest + 1)
            var composed = scene.image
            SceneCompositor.place(object.resized(width: w, height: h), into: &composed, x: x, y: y,
                                  shadowOpacity: config.shadowOpacity, shadowBlur: config.shadowBlur, colorMatch: config.colorMatch)
            let folder = "\(name)/\(item.key)/" + String(format: "%02d-%02d", reference.index, target.index)
            try item.write(try PNG.encodeOpaque(composed), to: folder + "/target.png")
            try item.write(try PNG.encodeOpaque(framed), to: folder + "/ref.png")
            records.append(CompositionRecord(
                id: "\(item.key):" + String(format: "%02d-%02d", reference.index, target.index), assetID: item.key,
                referenceView: reference.index, targetView: target.index, background: scene.source,
                target: folder + "/target.png", reference: folder + "/ref.png", bboxX: x, bboxY: y, bboxW: w, bboxH: h,
                descriptor: scene.description))
        }
        guard !records.isEmpty else {
            return .skipped(kind: "empty-views", reason: "no view pair of \(item.key) shows the object (all views transparent)")
        }
        return .done(records)
    }
}
