import Datasets
import Foundation
import Imaging
import Manifest
import Pipeline
import Support
import Synchronization

/// `cn-extract`: every accepted Open Images object -> `extract/{object}/object.png` (RGBA
/// cut-out), `ref.png` (zero123 framing: long side 200 centred on white 256), `target.png`
/// (256x256, PNG so that `cn-shard` reads it as it reads every target), `target_mask.png`, and an
/// `extraction` row (bbox in target pixels from the mask, subject = class display name); the
/// photo's upright size goes into `image.width/height`.
///
/// Defects fail the item with a kind that names them: 'missing-photo', 'missing-mask',
/// 'corrupt-jpeg' / 'truncated-image' / 'not-an-image' (the photo decoder's kinds),
/// 'corrupt-png' (mask), 'mask-aspect-mismatch' (mask shape not the photo's, either
/// orientation, beyond off-by-one); mask checks that reject the object skip it with the filter's
/// kind ('empty-mask', 'fragmented-mask', 'mask-touches-border', 'object-too-small').
public struct ExtractStage: Stage {
    public let name = "extract"
    /// Framing settings (the pipeline's `extract` step).
    public let config: ExtractionConfig
    /// Mask checks (the pipeline's `ingest-openimages` step, so filters live in one place).
    public let filter: ObjectFilterConfig
    /// Decoder limits.
    public var limits = ImageLimits.standard
    /// PNG settings of the four outputs (zlib level 6 by default, as Pillow's `save`).
    public var png = PNG.EncodeOptions()
    private let sources = MaskSourceCache()

    /// Creates the stage.
    public init(config: ExtractionConfig = ExtractionConfig(), filter: ObjectFilterConfig = ObjectFilterConfig()) {
        self.config = config
        self.filter = filter
    }

    public func listItems(_ context: StageContext) throws -> [String] {
        try context.manifest.read { db in try ObjectRecord.acceptedIDs(db) }
    }

    /// Objects follow their photo (object ids are `{ImageID}_{label}_{BoxID}`), so a partition
    /// holds whole photos and their captions.
    public func partitionKey(_ item: String) -> String? { String(item.prefix { $0 != "_" }) }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        // The key names the output folder and the row's paths name input files: none may leave its
        // root (a manifest ingested before these checks existed may still hold such rows).
        _ = try ContainedPath.check(item.key, what: "object id", singleComponent: true)
        guard let row = try item.stage.manifest.read({ db in try ExtractionSource.find(db, objectID: item.key) }) else {
            throw ExtractError(.notInManifest, message: "object \(item.key) is not in the manifest; run cn-ingest openimages first")
        }
        let imageID = row.imageID, maskPath = row.maskPath, photoPath = row.photoPath
        let split = row.split, subject = row.className
        guard let root = row.root else {
            throw ExtractError(.noDatasetRoot, message: "no dataset root recorded for split \(split); run cn-ingest openimages")
        }
        let rotation = row.rotation.flatMap(ImageRotation.init(rawValue:))
        _ = try ContainedPath.check(maskPath, what: "MaskPath", singleComponent: true)
        _ = try ContainedPath.check(imageID, what: "ImageID", singleComponent: true)

        guard FileManager.default.fileExists(atPath: photoPath) else {
            throw ExtractError(.missingPhoto, message: "photo \(photoPath) of object \(item.key) does not exist")
        }
        let photo = try Self.readFile(photoPath, limit: limits.maxFileBytes)
        let header = try JPEG.readHeader(photo, source: photoPath)
        guard let mask = try sources.source(root: root, split: split).maskBytes(maskPath: maskPath, imageID: imageID) else {
            throw ExtractError(.missingMask, message: "mask \(maskPath) is neither in \(split)-masks-*.zip nor in an unzipped mask folder under \(root)")
        }
        let maskHeader = try PNG.readHeader(mask, source: maskPath)
        try Self.checkAspect(maskWidth: maskHeader.width, maskHeight: maskHeader.height,
                             photoWidth: header.width, photoHeight: header.height, mask: maskPath)

        let result = try ObjectExtraction.extract(photo: photo, mask: mask, rotation: rotation, config: config, filter: filter,
                                                  limits: limits, source: item.key)
        let extracted: ExtractedObject
        switch result {
        case .failure(let rejection): return .skipped(kind: rejection.kind, reason: rejection.message)
        case .success(let value): extracted = value
        }
        let folder = "\(name)/\(item.key)"
        try item.write(try PNG.encode(extracted.cutout, options: png), to: "\(folder)/object.png")
        try item.write(try PNG.encodeOpaque(extracted.reference, options: png), to: "\(folder)/ref.png")
        try item.write(try PNG.encodeOpaque(extracted.target, options: png), to: "\(folder)/target.png")
        try item.write(try PNG.encode(extracted.targetMask, options: png), to: "\(folder)/target_mask.png")
        let box = extracted.bbox
        return .done([
            ExtractionRecord(
                objectID: item.key, objectPNG: "\(folder)/object.png", referencePNG: "\(folder)/ref.png", target: "\(folder)/target.png",
                targetMask: "\(folder)/target_mask.png", targetMode: config.targetFraming.rawValue,
                bboxX: box.x, bboxY: box.y, bboxW: box.width, bboxH: box.height, subject: subject),
            ImageSize(imageID: imageID, width: extracted.imageWidth, height: extracted.imageHeight),
        ])
    }

    /// Reads a whole file, refusing one larger than `limit` bytes.
    static func readFile(_ path: String, limit: Int) throws -> [UInt8] {
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= limit else {
            throw ExtractError(.fileTooLarge, message: "\(path) is \(size) bytes, over the \(limit)-byte limit")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExtractError(.unreadableFile, message: "cannot read \(path)")
        }
        return [UInt8](data)
    }

    /// Fails unless the mask has the photo's aspect in either orientation (masks are 1600 px on the
    /// long side, photos at most 1024: the expected mask height is computed from its width and
    /// compared within 1% and at least 2 px, which tolerates off-by-one mask shapes).
    public static func checkAspect(maskWidth: Int, maskHeight: Int, photoWidth: Int, photoHeight: Int, mask: String) throws {
        func fits(_ w: Int, _ h: Int) -> Bool {
            let expected = Double(maskWidth) * Double(h) / Double(w)
            return abs(expected - Double(maskHeight)) <= max(2, 0.01 * Double(maskHeight))
        }
        guard maskWidth > 0, maskHeight > 0, fits(photoWidth, photoHeight) || fits(photoHeight, photoWidth) else {
            throw ExtractError(.maskAspectMismatch,
                               message: "mask \(mask) is \(maskWidth)x\(maskHeight), not the aspect of its \(photoWidth)x\(photoHeight) photo")
        }
    }
}
