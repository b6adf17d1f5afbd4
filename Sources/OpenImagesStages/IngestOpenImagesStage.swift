import Datasets
import Foundation
import GRDB
import Manifest
import Pipeline
import Support

/// `cn-ingest openimages --root DIR [--split S]`: indexes one split of an Open Images download
/// (formats.md layout) into the manifest, streaming, in bounded memory:
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
        return .done([RecordStatement(
            "INSERT OR REPLACE INTO dataset_root (dataset, split, root) VALUES ('openimages', ?, ?)", [split, root])])
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

    /// Streams the split into the manifest in batched transactions.
    public func ingest(manifest: ManifestStore) throws -> Report {
        let layout = OpenImagesLayout(root: root, split: split)
        var report = Report()
        var malformed: [MalformedRow] = []
        let rotations: RotationTable
        if let list = layout.imageList {
            rotations = try RotationTable(imageList: list, malformedCap: 100_000)
            malformed += rotations.malformed.kept
        } else {
            rotations = RotationTable()
        }
        let truth = try FixtureTruth.load(root: root)
        let truthByObject = Dictionary((truth?.objects ?? []).map { ($0.objectID, $0) }, uniquingKeysWith: { a, _ in a })

        var seenImages = Set<UInt64>()
        var seenClasses = Set<String>()
        var pending: [JoinedRow] = []
        let now = Timestamp.now()

        func flush() throws {
            guard !pending.isEmpty else { return }
            let rows = pending
            pending.removeAll(keepingCapacity: true)
            try manifest.write { db in
                let classStatement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO class (label, name) VALUES (?, ?)")
                let imageStatement = try db.cachedStatement(sql: """
                    INSERT INTO image (id, split, path, rotation) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET split = excluded.split, path = excluded.path, rotation = excluded.rotation
                    """)
                let objectStatement = try db.cachedStatement(sql: """
                    INSERT INTO object (id, image_id, label, box_id, x_min, x_max, y_min, y_max, predicted_iou,
                        is_occluded, is_truncated, is_group_of, is_depiction, is_inside, mask_path, accepted, reject_kind, reject_reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET image_id = excluded.image_id, label = excluded.label, box_id = excluded.box_id,
                        x_min = excluded.x_min, x_max = excluded.x_max, y_min = excluded.y_min, y_max = excluded.y_max,
                        predicted_iou = excluded.predicted_iou, is_occluded = excluded.is_occluded, is_truncated = excluded.is_truncated,
                        is_group_of = excluded.is_group_of, is_depiction = excluded.is_depiction, is_inside = excluded.is_inside,
                        mask_path = excluded.mask_path, accepted = excluded.accepted, reject_kind = excluded.reject_kind,
                        reject_reason = excluded.reject_reason
                    """)
                let workStatement = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO work (stage, item, status, attempts, error_kind, error, output, updated_at)
                    VALUES ('ingest-openimages', ?, 'skipped', 1, ?, ?, NULL, ?)
                    """)
                let clearStatement = try db.cachedStatement(sql: "DELETE FROM work WHERE stage = 'ingest-openimages' AND item = ?")
                let meshStatement = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO object_mesh (object_id, mesh, world_to_camera, render_size, supersampling, source)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for row in rows {
                    if let name = row.className { try classStatement.execute(arguments: [row.label, name]) }
                    if let path = row.newImagePath { try imageStatement.execute(arguments: [row.imageID, split, path, row.rotation]) }
                    let f = row.flags
                    try objectStatement.execute(arguments: [
                        row.objectID, row.imageID, row.label, row.boxID, row.box.xMin, row.box.xMax, row.box.yMin, row.box.yMax,
                        row.predictedIoU, f?.isOccluded.rawValue, f?.isTruncated.rawValue, f?.isGroupOf.rawValue,
                        f?.isDepiction.rawValue, f?.isInside.rawValue, row.maskPath, row.rejection == nil ? 1 : 0,
                        row.rejection?.kind, row.rejection?.message,
                    ])
                    if let rejection = row.rejection {
                        try workStatement.execute(arguments: [row.objectID, rejection.kind, rejection.message, now])
                    } else {
                        // Accepted now (e.g. filters relaxed since an earlier ingest): no stale 'skipped' row.
                        try clearStatement.execute(arguments: [row.objectID])
                    }
                    if let mesh = row.mesh {
                        let pose = "[" + mesh.worldToCamera.map { String($0) }.joined(separator: ",") + "]"
                        try meshStatement.execute(arguments: [row.objectID, mesh.mesh, pose, mesh.renderSize, mesh.supersampling, FixtureTruth.fileName])
                    }
                }
            }
        }

        let join = MaskBoxJoin(malformedCap: 1_000_000)
        let scan = try OpenImagesObjects.scan(layout: layout, filter: filter, join: join) { object in
            let mask = object.joined.mask
            var row = JoinedRow(objectID: object.itemKey, imageID: mask.imageID, label: mask.labelName, boxID: mask.boxID,
                                box: mask.box, predictedIoU: mask.predictedIoU, flags: object.joined.flags, maskPath: mask.maskPath,
                                rejection: object.rejection)
            if !seenClasses.contains(mask.labelName) {
                seenClasses.insert(mask.labelName)
                row.className = object.displayName ?? mask.labelName
            }
            let key = ImageKey.make(mask.imageID)
            if !seenImages.contains(key) {
                seenImages.insert(key)
                row.newImagePath = layout.imagePath(of: mask.imageID) ?? "\(root)/\(split)/\(mask.imageID).jpg"
                row.rotation = rotations.rotation(of: mask.imageID)?.rawValue
            }
            row.mesh = truthByObject[row.objectID]
            report.objects += 1
            if let rejection = object.rejection { report.rejected[rejection.kind, default: 0] += 1 } else { report.accepted += 1 }
            if row.mesh != nil { report.meshes += 1 }
            pending.append(row)
            if pending.count >= batchSize { try flush() }
        }
        try flush()
        report.images = seenImages.count
        malformed += scan.join.malformed.kept + scan.classMalformed.kept

        // Narratives of the images that have objects, streamed, in batches.
        var captions: [(String, Int, String)] = []
        var perImage: [UInt64: Int] = [:]
        func flushCaptions() throws {
            guard !captions.isEmpty else { return }
            let rows = captions
            captions.removeAll(keepingCapacity: true)
            try manifest.write { db in
                let statement = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO caption (subject_kind, subject_id, source, idx, text) VALUES ('image', ?, 'narrative', ?, ?)
                    """)
                for (image, index, text) in rows { try statement.execute(arguments: [image, index, text]) }
            }
        }
        for file in layout.narratives {
            let reader = try LocalizedNarrativesReader(path: file, malformedCap: 1_000_000)
            while let narrative = try reader.next() {
                let key = ImageKey.make(narrative.imageID)
                guard seenImages.contains(key) else { continue }
                let index = perImage[key, default: 0]
                perImage[key] = index + 1
                captions.append((narrative.imageID, index, narrative.caption))
                report.captions += 1
                if captions.count >= batchSize { try flushCaptions() }
            }
            malformed += reader.malformed.kept
        }
        try flushCaptions()

        // Malformed rows: failed work items 'file:line', so `cn-manifest failures` shows them.
        report.malformed = malformed.count
        try manifest.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO work (stage, item, status, attempts, error_kind, error, output, updated_at)
                VALUES ('ingest-openimages', ?, 'failed', 1, 'malformed-row', ?, NULL, ?)
                """)
            for row in malformed {
                let file = (row.file as NSString).lastPathComponent
                try statement.execute(arguments: ["\(file):\(row.line)", oneLine("\(file) line \(row.line): \(row.reason)"), now])
            }
        }
        FileHandle.standardError.write(Data("ingest-openimages: \(split): \(report.summary)\n".utf8))
        return report
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
}

/// A CSV or JSONL row that could not be read.
public struct MalformedRowError: DescribedError {
    public let message: String
    public var kind: String { "malformed-row" }
}
