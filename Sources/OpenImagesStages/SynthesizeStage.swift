import Foundation
import Geometry
import Imaging
import Manifest
import Pipeline
import Raster
import Support
import Synchronization

/// `cn-synthesize`: gives every extracted object its two novel views (x, y, z) and (-x, -y, -z)
/// through a `ViewSynthesisBackend`, writes `synthesize/{object}/view_0.png` and `view_1.png`
/// (256x256, long side 200 on white) and records them as `novel_view` rows (the sample's
/// reference; `cn-shard` records the INVERSE of the view's offset as T).
public struct SynthesizeStage: Stage {
    public let name = "synthesize"
    public let config: SynthesizeConfig
    public let backend: any ViewSynthesisBackend

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
        try context.manifest.read { db in try ExtractionRecord.allObjectIDs(db) }
    }

    /// Objects follow their photo (object ids are `{ImageID}_{label}_{BoxID}`), so a partition
    /// holds whole photos and their captions.
    public func partitionKey(_ item: String) -> String? { String(item.prefix { $0 != "_" }) }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        let row = try item.stage.manifest.read { db in try SynthesisSource.find(db, objectID: item.key) }
        guard let row else { throw SynthesisError(.notInManifest, message: "object \(item.key) has no extraction; run cn-extract") }
        var mesh: KnownMesh?
        if let path = row.mesh, let text = row.worldToCamera {
            let values = (try? JSONDecoder().decode([Double].self, from: Data(text.utf8))) ?? []
            guard let pose = WorldToCamera(rowMajor3x4: values) else {
                throw SynthesisError(.badPose, message: "object_mesh.world_to_camera of \(item.key) is not 12 numbers")
            }
            mesh = KnownMesh(path: path, worldToCamera: pose)
        }
        let subject = SynthesisSubject(objectID: item.key, reference: item.url(row.referencePNG).path, mesh: mesh)
        let deltas = Self.sampleViews(config, random: &item.random)
        var records: [any ItemRecord] = []
        var images: [[UInt8]] = []
        for delta in deltas { images.append(try PNG.encodeOpaque(try backend.view(of: subject, delta: delta))) }
        for (index, delta) in deltas.enumerated() {
            let path = "\(name)/\(item.key)/view_\(index).png"
            try item.write(images[index], to: path)
            records.append(NovelViewRecord(objectID: item.key, index: index, image: path, polarDegrees: delta.polarDegrees,
                                           azimuthDegrees: delta.azimuthDegrees, radius: delta.radius, backend: backend.name))
        }
        return .done(records)
    }
}
