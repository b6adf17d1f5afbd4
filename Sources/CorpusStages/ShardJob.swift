import Foundation
import Imaging
import Manifest
import Shards
import Support
import Geometry

/// `cn-shard`: assembles the `sample` table, splits it by source, and writes WebDataset shards
/// `WORKDIR/shards/{split}-{000000}.tar` with their indexes (docs/CONTRACTS.md), resuming
/// shard by shard: a shard whose index is present and whose tar matches it is kept, the others
/// are rebuilt from their samples, so a killed run loses at most the two shards in flight (ShardResume).
public struct ShardJob {
    /// The workdir.
    public let workdir: URL
    /// The manifest.
    public let manifest: ManifestStore
    /// The settings.
    public let config: ShardConfig

    /// Creates the job.
    public init(workdir: URL, manifest: ManifestStore, config: ShardConfig) {
        self.workdir = workdir
        self.manifest = manifest
        self.config = config
    }

    /// What a run did, per split.
    public struct Summary: Sendable {
        public var samples: [String: Int] = [:]
        public var shardsWritten = 0
        public var shardsKept = 0
    }

    /// Assembles samples and writes every split's shards.
    public func run(progress: (String) -> Void = { _ in }) throws -> Summary {
        let splits = try SplitAssigner(splits: [("train", config.train), ("val", config.val), ("test", config.test)], salt: config.splitSalt)
        let drafts = try manifest.read { db in try SampleAssembler.drafts(db) }
        guard !drafts.isEmpty else {
            throw ShardError(.noSamples, "the manifest has no compositions or synthesised views yet: run cn-compose (Objaverse) or cn-synthesize (Open Images) first")
        }
        try manifest.write { db in try SampleAssembler.record(db, drafts: drafts, splits: splits) }
        let folder = workdir.appendingPathComponent("shards").path
        try AtomicFile.makeFolders(folder)
        AtomicFile.removeOrphans(below: folder)
        let limits = ShardLimits(maxSamples: config.maxSamples, maxBytes: config.maxBytes > 0 ? config.maxBytes : Int.max / 4)
        var summary = Summary()
        for split in ["train", "val", "test"] {
            let rows = try manifest.read { db in try SampleRecord.samples(db, split: split) }
            summary.samples[split] = rows.count
            guard !rows.isEmpty else { continue }
            let sizes = config.maxBytes > 0 ? try rows.map(plannedSize) : Array(repeating: 0, count: rows.count)
            let plan = limits.plan(archivedSizes: sizes)
            let outcome = try ShardResume.write(plan: plan, folder: folder, split: split, limits: limits) { range in
                progress("\(split): writing samples \(range.lowerBound + 1)-\(range.upperBound) of \(rows.count)")
                return try rows[range].map(sample)
            }
            summary.shardsWritten += outcome.written.count
            summary.shardsKept += outcome.kept.count
            try manifest.write { db in
                for (number, range) in plan.enumerated() {
                    guard let index = try ShardIndex.load(folder: folder, split: split, number: number) else { continue }
                    let name = ShardNaming.stem(split: split, number: number)
                    try ShardRecord(name: name, split: split, samples: index.sampleCount, bytes: index.byteCount, sha256: index.sha256)
                        .store(in: db)
                    let ids = rows[range].map(\.id)
                    if let first = ids.first, let last = ids.last {
                        try SampleRecord.assign(db, shard: name, split: split, firstID: first, lastID: last)
                    }
                    let now = Timestamp.now()
                    try WorkLedger.enqueue(db, stage: "shard", keys: [name], now: now)
                    try WorkLedger.complete(db, stage: "shard", key: name, status: .done, errorKind: nil, error: nil,
                                            output: "shards/\(name).tar", now: now)
                }
            }
        }
        return summary
    }

    /// The WebDataset sample of one `sample` row: target and reference bytes from the workdir,
    /// concat built as CustomNet's loader builds it, metadata with T, bbox, poses and provenance.
    func sample(_ row: SampleRecord) throws -> WebDatasetSample {
        let target = try bytes(row.target)
        let reference = try bytes(row.reference)
        let header = try PNG.readHeader(target, source: row.target)
        let bbox = PixelBox(x: row.bboxX, y: row.bboxY, width: row.bboxW, height: row.bboxH)
        let concat = try ConcatBuilder.buildPNG(reference: reference, bbox: bbox, imageWidth: header.width, imageHeight: header.height)
        let source = row.source
        var provenance = ["source": source]
        var referenceMatrix: [Float]?, targetMatrix: [Float]?
        if row.kind == "objaverse" {
            let parts = source.split(separator: "/")
            provenance["asset"] = String(parts[1])
            let pair = parts[2].split(separator: "-").compactMap { Int($0) }
            provenance["ref_view"] = String(pair[0]); provenance["target_view"] = String(pair[1])
            referenceMatrix = try pose(asset: String(parts[1]), view: pair[0])
            targetMatrix = try pose(asset: String(parts[1]), view: pair[1])
        } else {
            let parts = source.split(separator: "/")
            provenance["image"] = String(parts[1]); provenance["object"] = String(parts[3]); provenance["view"] = String(parts[5])
        }
        let caption = row.caption ?? ""
        return try CustomNetSample(
            id: Int(row.id), kind: row.kind, split: row.split, target: target, targetEncoding: .png,
            reference: reference, concat: concat, caption: caption,
            pose: RelativePose(polar: row.polar, azimuthSin: row.azimuthSin, azimuthCos: row.azimuthCos, radius: row.radius),
            bbox: bbox, targetWidth: header.width, targetHeight: header.height,
            referenceMatrix: referenceMatrix, targetMatrix: targetMatrix, source: provenance
        ).webDatasetSample()
    }

    /// An upper bound of a sample's archived size, from file sizes and PNG / JSON bounds, so a
    /// byte-capped plan needs no concat encoding (ShardSizeEstimate; the plan stays deterministic).
    private func plannedSize(_ row: SampleRecord) throws -> Int {
        func fileSize(_ relative: String) throws -> Int {
            let attributes = try FileManager.default.attributesOfItem(atPath: workdir.appendingPathComponent(relative).path)
            return (attributes[.size] as? NSNumber)?.intValue ?? 0
        }
        let caption = (row.caption ?? "").utf8.count
        return ShardSizeEstimate.archivedSize(fieldSizes: [
            try fileSize(row.target), try fileSize(row.reference),
            ShardSizeEstimate.pngUpperBound(width: 256, height: 256, channels: 4), caption, Self.jsonUpperBound,
        ])
    }

    /// More than the `json` member of any sample can take (T, bbox, two 3x4 poses, provenance).
    static let jsonUpperBound = 4096

    private func bytes(_ relative: String) throws -> [UInt8] {
        let path = workdir.appendingPathComponent(relative).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShardError(.missingFile, "sample file \(path) is missing; re-run the stage that made it")
        }
        return Array(data)
    }

    private func pose(asset: String, view: Int) throws -> [Float] {
        let path = try manifest.read { db in try ViewRecord.find(db, asset: asset, index: view)?.pose }
        guard let path else { throw ShardError(.missingView, "view \(view) of asset \(asset) is not in the manifest") }
        return try NPY.decode(try bytes(path)).values.map(Float.init)
    }
}
