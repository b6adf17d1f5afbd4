import Foundation
import Geometry
import Imaging
import Manifest
import Pipeline
import Support

/// `cn-synthesize`: gives every extracted object its two novel views (x, y, z) and (-x, -y, -z)
/// through a `ViewSynthesisBackend`, writes `synthesize/{object}/view_0.png` and `view_1.png`
/// (256x256) and records them as `novel_view` rows with the backend that made them and its
/// provenance (the sample's reference; `cn-shard` records the INVERSE of the view's offset as T).
///
/// An item's random stream is used in this order: the polar offset x, the azimuth offset y, then
/// whatever the backend draws (a model's x_T of view 0 and view 1, then eta's noise).
public struct SynthesizeStage: Stage {
    public let name = "synthesize"
    public let config: SynthesizeConfig
    public let backend: any ViewSynthesisBackend

    /// Makes the stage and its backend (a model backend loads its checkpoint here, once).
    public init(config: SynthesizeConfig, backend: (any ViewSynthesisBackend)? = nil) throws {
        self.config = config
        self.backend = try backend ?? SynthesisBackends.make(config)
    }

    /// The two offsets of an item, drawn from its random stream: x then y.
    public static func sampleViews(_ config: SynthesizeConfig, random: inout SeededRandom) -> [ViewDelta] {
        let x = config.polarMin + random.integer(below: config.polarMax - config.polarMin)
        let y = config.azimuthMin + random.integer(below: config.azimuthMax - config.azimuthMin)
        return [ViewDelta(polarDegrees: Double(x), azimuthDegrees: Double(y), radius: config.radius),
                ViewDelta(polarDegrees: Double(-x), azimuthDegrees: Double(-y), radius: 0 - config.radius)]
    }

    public func listItems(_ context: StageContext) throws -> [String] {
        let keys = try context.manifest.read { db in try ExtractionRecord.allObjectIDs(db) }
        let (config, name) = (self.config, self.name)
        backend.prepare(SynthesisPlanner(order: keys.sorted()) { key in
            var random = SeededRandom(runSeed: context.seed, stage: name, item: key)
            return try Self.plan(key, config: config, context: context, random: &random)
        })
        return keys
    }

    /// Objects follow their photo (object ids are `{ImageID}_{label}_{BoxID}`), so a partition
    /// holds whole photos and their captions.
    public func partitionKey(_ item: String) -> String? { String(item.prefix { $0 != "_" }) }

    /// An item's subject and offsets; `random` is left after the pose draws.
    static func plan(_ key: String, config: SynthesizeConfig, context: StageContext, random: inout SeededRandom) throws -> SynthesisPlan {
        let row = try context.manifest.read { db in try SynthesisSource.find(db, objectID: key) }
        guard let row else { throw SynthesisError(.notInManifest, message: "object \(key) has no extraction; run cn-extract") }
        var mesh: KnownMesh?
        if let path = row.mesh, let text = row.worldToCamera {
            let values = (try? JSONDecoder().decode([Double].self, from: Data(text.utf8))) ?? []
            guard let pose = WorldToCamera(rowMajor3x4: values) else {
                throw SynthesisError(.badPose, message: "object_mesh.world_to_camera of \(key) is not 12 numbers")
            }
            mesh = KnownMesh(path: path, worldToCamera: pose)
        }
        let seed = StableHash.itemSeed(runSeed: context.seed, stage: "synthesize", item: key)
        let subject = SynthesisSubject(objectID: key, reference: context.workdir.appendingPathComponent(row.referencePNG).path,
                                       mesh: mesh, seed: seed)
        let deltas = sampleViews(config, random: &random)
        return SynthesisPlan(subject: subject, deltas: deltas, random: random)
    }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        let plan = try Self.plan(item.key, config: config, context: item.stage, random: &item.random)
        let made = try backend.views(of: plan.subject, deltas: plan.deltas, random: &item.random)
        var records: [any ItemRecord] = []
        for (index, delta) in plan.deltas.enumerated() {
            let path = "\(name)/\(item.key)/view_\(index).png"
            try item.write(try PNG.encodeOpaque(made.images[index]), to: path)
            records.append(NovelViewRecord(objectID: item.key, index: index, image: path, polarDegrees: delta.polarDegrees,
                                           azimuthDegrees: delta.azimuthDegrees, radius: delta.radius, backend: made.backend,
                                           provenance: made.provenance))
        }
        return .done(records)
    }
}
