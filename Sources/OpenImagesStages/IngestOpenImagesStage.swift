import Datasets
import Fixtures
import Foundation
import Manifest
import Pipeline
import Support

/// `cn-ingest openimages --root DIR [--split S]`: indexes one split of an Open Images download
/// (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html layout) into the manifest, streaming, in bounded memory:
///
/// - `class` (label -> display name), `image` (path, Rotation), `object` (every mask joined to
///   its box with the five flags, accepted or rejected with the filter's reason kind + reason),
///   `caption` (Localized Narratives of the images with objects: subject_kind 'image',
///   source 'narrative'), `dataset_root` (where the split lives, for `cn-extract`), and
///   `object_mesh` when the root carries a `fixture-truth.json` (cn-fixture's meshes and poses);
/// - `work` rows the audit sees: every rejected object as (stage 'ingest-openimages', item =
///   object id, 'skipped', error_kind = the filter's kind), every malformed CSV/JSONL row as
///   (item 'file:line', 'failed', 'malformed-row').
///
/// The stage has one item per split ("openimages:{split}"); its processing streams the join
/// (`OpenImagesObjects.scan`) and writes rows in transactions of `batchSize` objects as it goes,
/// so memory does not grow with the dataset. Every write is an upsert keyed by source ids (ON
/// CONFLICT DO UPDATE for rows other tables reference, so later stages' rows survive): a killed
/// ingest re-run from scratch leaves the same rows, never duplicates.
public struct IngestOpenImagesStage: Stage {
    public let name = "ingest-openimages"
    /// The dataset root.
    public let root: String
    /// train, validation or test.
    public let split: String
    /// The object filters (the pipeline step's `config:`).
    public let filter: ObjectFilterConfig
    /// Objects per write transaction.
    public var batchSize = 20_000

    /// Creates the stage.
    public init(root: String, split: String = "train", filter: ObjectFilterConfig = ObjectFilterConfig()) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.split = split
        self.filter = filter
    }

    /// The single item of a split.
    public var itemKey: String { "openimages:\(split)" }

    public func listItems(_ context: StageContext) throws -> [String] {
        let layout = OpenImagesLayout(root: root, split: split)
        let missing = layout.missing.filter { $0.contains("segmentation") || $0.contains("bbox") }
        guard missing.isEmpty else {
            throw RunnerError.cannotRun("--root \(root) lacks the \(split) split's annotation files: " + missing.joined(separator: "; "))
        }
        return [itemKey]
    }

    /// The index of a split is needed whole by every partition: each partition's workdir ingests
    /// it, and the per-object stages after it partition by photo.
    public func partitionKey(_ item: String) -> String? { nil }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        guard item.key == itemKey else {
            // A 'file:line' row failed by an earlier ingest and retried with --retry-failed: it stays failed.
            throw MalformedRowError(message: "\(item.key) was malformed when ingested; fix the file and re-run cn-ingest openimages")
        }
        _ = try ingest(manifest: item.stage.manifest)
        return .done([DatasetRootRecord(dataset: "openimages", split: split, root: root)])
    }

    /// What one ingest wrote.
    public struct Report: Sendable {
        public var objects = 0, accepted = 0, images = 0, captions = 0, malformed = 0, meshes = 0
        public var rejected: [String: Int] = [:]
        /// One line for logs.
        public var summary: String {
            "\(objects) objects (\(accepted) accepted, \(objects - accepted) rejected: "
                + rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                + "), \(images) images, \(captions) narratives, \(malformed) malformed rows, \(meshes) known meshes"
        }
    }

    /// Streams the split into the manifest in batched transactions: objects (with their photos,
    /// classes and known meshes), then the photos' narratives, then the malformed rows.
    public func ingest(manifest: ManifestStore) throws -> Report {
        let layout = OpenImagesLayout(root: root, split: split)
        var report = Report()
        let rotations = try readRotations(layout)
        var malformed = rotations.malformed.kept
        let now = Timestamp.now()
        let objects = try ingestObjects(layout: layout, rotations: rotations, manifest: manifest, now: now, report: &report)
        malformed += objects.malformed
        malformed += try ingestNarratives(layout: layout, images: objects.images, manifest: manifest, report: &report)
        report.malformed = malformed.count
        try recordMalformed(malformed, manifest: manifest, now: now)
        FileHandle.standardError.write(Data("ingest-openimages: \(split): \(report.summary)\n".utf8))
        return report
    }

    /// The image list's Rotation column, when the split has an image list.
    private func readRotations(_ layout: OpenImagesLayout) throws -> RotationTable {
        guard let list = layout.imageList else { return RotationTable() }
        return try RotationTable(imageList: list, malformedCap: 100_000)
    }

    /// Phase 1: streams the mask/box join through the filters into `object` rows (and the first
    /// sighting of each photo and class), `batchSize` objects per transaction. Returns the photos
    /// seen (narratives are kept only for them) and the malformed rows of the CSVs.
    private func ingestObjects(
        layout: OpenImagesLayout, rotations: RotationTable, manifest: ManifestStore, now: String, report: inout Report
    ) throws -> (images: Set<UInt64>, malformed: [MalformedRow]) {
        let truth = try FixtureTruth.load(root: root)
        let linked = (truth?.meshesKnown ?? true) ? (truth?.objects ?? []) : []
        let truthByObject = Dictionary(linked.map { ($0.objectID, $0) }, uniquingKeysWith: { a, _ in a })
        var seenImages = Set<UInt64>()
        var seenClasses = Set<String>()
        var pending: [JoinedRow] = []
        var counts = report
        let join = MaskBoxJoin(malformedCap: 1_000_000)
        let scan = try OpenImagesObjects.scan(layout: layout, filter: filter, join: join) { object in
            let mask = object.joined.mask
            var row = JoinedRow(objectID: object.itemKey, imageID: mask.imageID, label: mask.labelName, boxID: mask.boxID,
                                box: mask.box, predictedIoU: mask.predictedIoU, flags: object.joined.flags, maskPath: mask.maskPath,
                                rejection: object.rejection)
            if seenClasses.insert(mask.labelName).inserted {
                row.className = object.displayName ?? mask.labelName
            }
            if seenImages.insert(ImageKey.make(mask.imageID)).inserted {
                row.newImagePath = layout.imagePath(of: mask.imageID) ?? "\(root)/\(split)/\(mask.imageID).jpg"
                row.rotation = rotations.rotation(of: mask.imageID)?.rawValue
            }
            row.mesh = truthByObject[row.objectID]
            counts.objects += 1
            if let rejection = object.rejection { counts.rejected[rejection.kind, default: 0] += 1 } else { counts.accepted += 1 }
            if row.mesh != nil { counts.meshes += 1 }
            pending.append(row)
            if pending.count >= batchSize {
                try writeObjects(pending, manifest: manifest, now: now)
                pending.removeAll(keepingCapacity: true)
            }
        }
        try writeObjects(pending, manifest: manifest, now: now)
        counts.images = seenImages.count
        report = counts
        return (seenImages, scan.join.malformed.kept + scan.classMalformed.kept)
    }

    /// Writes one batch of objects in one transaction: class and photo rows on first sight, the
    /// object, its rejection as a skipped work row (or no stale one when accepted now), its mesh.
    private func writeObjects(_ rows: [JoinedRow], manifest: ManifestStore, now: String) throws {
        guard !rows.isEmpty else { return }
        try manifest.write { db in
            for row in rows {
                if let name = row.className { try OpenImagesIndex.upsert(db, ClassRecord(label: row.label, name: name)) }
                if let path = row.newImagePath {
                    try OpenImagesIndex.upsert(db, ImageRecord(id: row.imageID, split: split, path: path, rotation: row.rotation))
                }
                try OpenImagesIndex.upsert(db, row.record)
                if let rejection = row.rejection {
                    try WorkLedger.record(db, stage: name, key: row.objectID, status: .skipped,
                                          errorKind: rejection.kind, error: rejection.message, now: now)
                } else {
                    // Accepted now (e.g. filters relaxed since an earlier ingest): no stale 'skipped' row.
                    try WorkLedger.remove(db, stage: name, key: row.objectID)
                }
                if let mesh = row.mesh {
                    let pose = "[" + mesh.worldToCamera.map { String($0) }.joined(separator: ",") + "]"
                    try OpenImagesIndex.upsert(db, ObjectMeshRecord(
                        objectID: row.objectID, mesh: mesh.mesh, worldToCamera: pose, renderSize: mesh.renderSize,
                        supersampling: mesh.supersampling, source: FixtureTruth.fileName))
                }
            }
        }
    }

    /// Phase 2: the Localized Narratives of the photos that have objects, streamed, in batches,
    /// as captions (subject 'image', source 'narrative', numbered per photo). Returns malformed rows.
    private func ingestNarratives(
        layout: OpenImagesLayout, images: Set<UInt64>, manifest: ManifestStore, report: inout Report
    ) throws -> [MalformedRow] {
        var captions: [CaptionRecord] = []
        var perImage: [UInt64: Int] = [:]
        var malformed: [MalformedRow] = []
        func flush() throws {
            guard !captions.isEmpty else { return }
            let batch = captions
            captions.removeAll(keepingCapacity: true)
            try manifest.write { db in for caption in batch { try OpenImagesIndex.upsert(db, caption) } }
        }
        for file in layout.narratives {
            let reader = try LocalizedNarrativesReader(path: file, malformedCap: 1_000_000)
            while let narrative = try reader.next() {
                let key = ImageKey.make(narrative.imageID)
                guard images.contains(key) else { continue }
                let index = perImage[key, default: 0]
                perImage[key] = index + 1
                captions.append(CaptionRecord(subjectKind: "image", subjectID: narrative.imageID, source: "narrative",
                                              index: index, text: narrative.caption))
                report.captions += 1
                if captions.count >= batchSize { try flush() }
            }
            malformed += reader.malformed.kept
        }
        try flush()
        return malformed
    }

    /// Phase 3: malformed rows become failed work items 'file:line', so `cn-manifest failures` shows them.
    private func recordMalformed(_ rows: [MalformedRow], manifest: ManifestStore, now: String) throws {
        try manifest.write { db in
            for row in rows {
                let file = (row.file as NSString).lastPathComponent
                try WorkLedger.record(db, stage: name, key: "\(file):\(row.line)", status: .failed, errorKind: "malformed-row",
                                      error: oneLine("\(file) line \(row.line): \(row.reason)"), now: now)
            }
        }
    }
}

/// One object on its way to the manifest.
struct JoinedRow {
    var objectID: String
    var imageID: String
    var label: String
    var boxID: String
    var box: NormalizedBox
    var predictedIoU: Double?
    var flags: BoxFlags?
    var maskPath: String
    var rejection: ObjectRejection?
    var className: String?
    var newImagePath: String?
    var rotation: Int?
    var mesh: FixtureTruth.Object?

    /// The `object` row.
    var record: ObjectRecord {
        let f = flags
        return ObjectRecord(
            id: objectID, imageID: imageID, label: label, boxID: boxID, xMin: box.xMin, xMax: box.xMax, yMin: box.yMin, yMax: box.yMax,
            predictedIoU: predictedIoU, isOccluded: f.map { Int($0.isOccluded.rawValue) }, isTruncated: f.map { Int($0.isTruncated.rawValue) },
            isGroupOf: f.map { Int($0.isGroupOf.rawValue) }, isDepiction: f.map { Int($0.isDepiction.rawValue) },
            isInside: f.map { Int($0.isInside.rawValue) }, maskPath: maskPath, accepted: rejection == nil,
            rejectKind: rejection?.kind, rejectReason: rejection?.message)
    }
}

/// A CSV or JSONL row that could not be read.
public struct MalformedRowError: DescribedError {
    public let message: String
    public var kind: String { "malformed-row" }
}
