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
        guard let row = try item.stage.manifest.read({ db in try ExtractionSource.find(db, objectID: item.key) }) else {
            throw ExtractError(.notInManifest, message: "object \(item.key) is not in the manifest; run cn-ingest openimages first")
        }
        let imageID = row.imageID, maskPath = row.maskPath, photoPath = row.photoPath
        let split = row.split, subject = row.className
        guard let root = row.root else {
            throw ExtractError(.noDatasetRoot, message: "no dataset root recorded for split \(split); run cn-ingest openimages")
        }
        let rotation = row.rotation.flatMap(ImageRotation.init(rawValue:))

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
    /// compared within 1% and at least 2 px, which tolerates the off-by-one shapes formats.md mentions).
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

/// The mask source of each (root, split), opened once and shared by the workers.
final class MaskSourceCache: Sendable {
    private let table = Mutex<[String: any MaskSource]>([:])

    func source(root: String, split: String) -> any MaskSource {
        table.withLock { sources in
            let key = root + "\u{0}" + split
            if let source = sources[key] { return source }
            let source = OpenImagesLayout(root: root, split: split).maskSource()
            sources[key] = source
            return source
        }
    }
}

/// An extraction failure with the kind that names the defect.
public struct ExtractError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings stored in manifests
    /// (pinned by a test: renaming one is a change of the manifest's vocabulary).
    public enum Reason: String, Sendable, CaseIterable {
        case fileTooLarge = "file-too-large"
        case maskAspectMismatch = "mask-aspect-mismatch"
        case missingMask = "missing-mask"
        case missingPhoto = "missing-photo"
        case noDatasetRoot = "no-dataset-root"
        case notInManifest = "not-in-manifest"
        case unreadableFile = "unreadable-file"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// What is wrong, naming the file.
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Creates an error of a class with its message.
    public init(_ reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }
}

/// The `extract` step's settings: the extraction's framing (`ExtractionConfig`) and the PNG
/// compression of the outputs (`pngCompressionLevel`, zlib 0-9, default 6; 1 writes ~2x faster,
/// files somewhat larger), side by side in one mapping.
public struct ExtractStepConfig: StageConfiguration, Equatable {
    /// Framing.
    public var extraction = ExtractionConfig()
    /// zlib level of the four PNG outputs.
    public var pngCompressionLevel = 6

    public init() {}

    public static var acceptedKeys: [String] { ExtractionConfig.acceptedKeys + [CodingKeys.pngCompressionLevel.rawValue] }

    private enum CodingKeys: String, CodingKey { case pngCompressionLevel }

    public init(from decoder: any Decoder) throws {
        extraction = try ExtractionConfig(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pngCompressionLevel = try c.decodeIfPresent(Int.self, forKey: .pngCompressionLevel) ?? 6
        guard (0...9).contains(pngCompressionLevel) else {
            throw DecodingError.dataCorruptedError(forKey: .pngCompressionLevel, in: c, debugDescription: "must be 0...9 (got \(pngCompressionLevel))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try extraction.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pngCompressionLevel, forKey: .pngCompressionLevel)
    }
}

/// The object filters are the `ingest-openimages` step's settings (cn-extract applies their mask checks too).
extension ObjectFilterConfig: StageConfiguration {}
