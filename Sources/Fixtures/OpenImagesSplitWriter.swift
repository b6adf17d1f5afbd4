import Foundation
import Imaging
import Datasets
import Support

/// Writes a small Open Images split in the real on-disk formats (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html), for `cn-fixture`,
/// demos and end-to-end tests: `{split}/{ImageID}.jpg`, the segmentation CSV, the box CSV (13
/// columns; `oidv6-` prefix and 21 columns for train), `class-descriptions-boxable.csv` (no
/// header), the image list with Rotation, the 16 `{split}-masks-{0..f}.zip` (stored entries,
/// flat) and a Localized Narratives JSONL. Boxes are the masks' boxes, written with 6 digits.
public enum OpenImagesSplitWriter {
    /// One object of a fixture photo.
    public struct Object: Sendable {
        /// The class, e.g. `/m/0k4j`.
        public var labelName: String
        /// Its display name, e.g. `Car`.
        public var displayName: String
        /// The mask at any resolution with the photo's aspect (the real masks are 1600 px long).
        public var mask: GrayImage
        /// The box flags written to the box CSV.
        public var flags: BoxFlags
        /// The PredictedIoU column; nil writes an empty field.
        public var predictedIoU: Double?

        /// Creates an object.
        public init(labelName: String, displayName: String, mask: GrayImage,
                    flags: BoxFlags = BoxFlags(isOccluded: .no, isTruncated: .no, isGroupOf: .no, isDepiction: .no, isInside: .no),
                    predictedIoU: Double? = 0.9) {
            self.labelName = labelName
            self.displayName = displayName
            self.mask = mask
            self.flags = flags
            self.predictedIoU = predictedIoU
        }
    }

    /// One fixture photo.
    public struct Photo: Sendable {
        /// The 16-hex-digit id.
        public var imageID: String
        /// The stored pixels (before Rotation is applied).
        public var image: RGBAImage
        /// The Rotation column; nil writes an empty field.
        public var rotation: ImageRotation?
        /// Its objects.
        public var objects: [Object]
        /// A narrative caption; nil writes none.
        public var caption: String?

        /// Creates a photo.
        public init(imageID: String, image: RGBAImage, rotation: ImageRotation? = ImageRotation.none, objects: [Object], caption: String? = nil) {
            self.imageID = imageID
            self.image = image
            self.rotation = rotation
            self.objects = objects
            self.caption = caption
        }
    }

    /// Writes `photos` as split `split` under `root`; returns the mask count.
    @discardableResult
    public static func write(root: String, split: String, photos: [Photo]) throws -> Int {
        let train = split == "train"
        var segmentation = SegmentationSchema.columns.joined(separator: ",") + "\n"
        var boxes = (train ? BoxSchema.columns + ["XClick1X", "XClick2X", "XClick3X", "XClick4X", "XClick1Y", "XClick2Y", "XClick3Y", "XClick4Y"]
                           : BoxSchema.columns).joined(separator: ",") + "\n"
        var imageList = ImageListSchema.columns.joined(separator: ",") + "\n"
        var narratives = ""
        var classes: [String: String] = [:]
        var zips = [StoredZipWriter](repeating: StoredZipWriter(), count: 16)
        var masks = 0
        func six(_ value: Double) -> String { String(format: "%.6f", min(1, max(0, value))) }
        func flag(_ value: TriState) -> String { String(value.rawValue) }

        for photo in photos {
            guard let shard = OpenImagesLayout.maskShard(of: photo.imageID), let shardIndex = Int(String(shard), radix: 16) else {
                throw DatasetFileError.badFormat(path: root, reason: "fixture ImageID \(photo.imageID) does not start with a hex digit")
            }
            try AtomicFile.write(JPEG.encode(photo.image), to: "\(root)/\(split)/\(photo.imageID).jpg")
            let rotation = photo.rotation.map { "\($0.rawValue).0" } ?? ""
            imageList += "\(photo.imageID),\(split),https://example.org/\(photo.imageID).jpg,,https://creativecommons.org/licenses/by/2.0/,,fixture,fixture,\(photo.image.width * photo.image.height),,,\(rotation)\n"
            if let caption = photo.caption {
                let quoted = String(decoding: try JSONEncoder().encode(caption), as: UTF8.self)
                narratives += "{\"dataset_id\": \"open_images\", \"image_id\": \"\(photo.imageID)\", \"annotator_id\": 1, \"caption\": \(quoted), \"timed_caption\": [], \"traces\": [], \"voice_recording\": \"\"}\n"
            }
            for (k, object) in photo.objects.enumerated() {
                guard let rect = object.mask.boundingBox(threshold: 0) else { continue }
                classes[object.labelName] = object.displayName
                let box = NormalizedBox(xMin: Double(rect.x) / Double(object.mask.width), xMax: Double(rect.maxX) / Double(object.mask.width),
                                        yMin: Double(rect.y) / Double(object.mask.height), yMax: Double(rect.maxY) / Double(object.mask.height))
                let boxID = String(format: "%08x", StableHash.fnv1a64("\(photo.imageID)/\(object.labelName)/\(k)") & 0xFFFF_FFFF)
                let maskPath = "\(photo.imageID)_\(object.labelName.replacingOccurrences(of: "/", with: ""))_\(boxID).png"
                let coordinates = [six(box.xMin), six(box.xMax), six(box.yMin), six(box.yMax)].joined(separator: ",")
                segmentation += "\(maskPath),\(photo.imageID),\(object.labelName),\(boxID),\(coordinates),\(object.predictedIoU.map { String(format: "%.5f", $0) } ?? ""),\n"
                let flags = [object.flags.isOccluded, object.flags.isTruncated, object.flags.isGroupOf, object.flags.isDepiction, object.flags.isInside].map(flag)
                boxes += "\(photo.imageID),xclick,\(object.labelName),1,\(coordinates),\(flags.joined(separator: ","))" + (train ? String(repeating: ",", count: 8) : "") + "\n"
                let png = try PNG.encode(PNGImage(width: object.mask.width, height: object.mask.height, colorType: .gray, bitDepth: 8, rows: object.mask.pixels))
                zips[shardIndex].add(name: maskPath, data: png)
                masks += 1
            }
        }
        try AtomicFile.write(Array(segmentation.utf8), to: "\(root)/\(split)-annotations-object-segmentation.csv")
        try AtomicFile.write(Array(boxes.utf8), to: "\(root)/\(train ? "oidv6-" : "")\(split)-annotations-bbox.csv")
        try AtomicFile.write(Array(imageList.utf8), to: "\(root)/\(split)-images-with-rotation.csv")
        let classLines = classes.keys.sorted().map { "\($0),\(classes[$0]!)\n" }.joined()
        try AtomicFile.write(Array(classLines.utf8), to: "\(root)/class-descriptions-boxable.csv")
        if !narratives.isEmpty {
            let name = train ? "open_images_train_v6_localized_narratives-00000-of-00010.jsonl" : "open_images_\(split)_localized_narratives.jsonl"
            try AtomicFile.write(Array(narratives.utf8), to: "\(root)/\(name)")
        }
        for (k, zip) in zips.enumerated() {
            try AtomicFile.write(zip.finished(), to: "\(root)/\(split)-masks-\(String(k, radix: 16)).zip")
        }
        return masks
    }
}
