import Geometry

/// An axis-aligned box in pixels: top-left corner and size (CustomNet's meta.json bbox [x, y, w, h]).
public struct PixelBox: Sendable, Equatable {
    /// Left edge.
    public var x: Int
    /// Top edge.
    public var y: Int
    /// Width.
    public var width: Int
    /// Height.
    public var height: Int

    /// Creates a box from [x, y, w, h].
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// [x, y, w, h].
    public var components: [Int] { [x, y, width, height] }
}

/// The encoding of a target image member: WebDataset picks the decoder by the last extension.
public enum ImageEncoding: String, Sendable {
    /// PNG (`target.png`).
    case png
    /// JPEG (`target.jpg`).
    case jpg
}

/// One CustomNet training pair as it goes into a WebDataset shard (docs/CONTRACTS.md, Shards):
/// members `target.png|jpg`, `ref.png`, `concat.png`, `txt`, `json`, in that order, under the
/// key = zero-padded sample id. Images arrive already encoded; the `json` member carries the T
/// vector, bbox, pose matrices, provenance and split in canonical JSON.
public struct CustomNetSample: Sendable {
    /// Manifest `sample.id`; becomes the zero-padded key.
    public var id: Int
    /// "objaverse" or "openimages" (manifest `sample.kind`).
    public var kind: String
    /// "train", "val" or "test".
    public var split: String
    /// The encoded target image (the photo or the composited render).
    public var target: [UInt8]
    /// How `target` is encoded.
    public var targetEncoding: ImageEncoding
    /// The encoded reference view (PNG, 256x256 canvas).
    public var reference: [UInt8]
    /// The encoded concat image (PNG, 256x256; see `ConcatLayout`).
    public var concat: [UInt8]
    /// The background/scene caption.
    public var caption: String
    /// The pose condition from reference to target.
    public var pose: RelativePose
    /// The object's box in target pixels.
    public var bbox: PixelBox
    /// The target image's size in pixels (width, height), which the bbox refers to.
    public var targetWidth: Int
    /// See `targetWidth`.
    public var targetHeight: Int
    /// 3x4 world-to-camera [R|t] of the reference view, row-major (Objaverse samples), else nil.
    public var referenceMatrix: [Float]?
    /// 3x4 world-to-camera [R|t] of the target view, row-major (Objaverse samples), else nil.
    public var targetMatrix: [Float]?
    /// The synthesised view (polar, azimuth, radius) in degrees as CustomNet's meta.json "view" (Open Images samples), else nil.
    public var view: [Double]?
    /// Provenance: image/object or asset/view ids and anything else worth keeping (string values).
    public var source: [String: String]

    /// Creates a sample; matrices, view and provenance are optional.
    public init(id: Int, kind: String, split: String, target: [UInt8], targetEncoding: ImageEncoding = .png,
                reference: [UInt8], concat: [UInt8], caption: String, pose: RelativePose, bbox: PixelBox,
                targetWidth: Int, targetHeight: Int, referenceMatrix: [Float]? = nil, targetMatrix: [Float]? = nil,
                view: [Double]? = nil, source: [String: String] = [:]) {
        self.id = id
        self.kind = kind
        self.split = split
        self.target = target
        self.targetEncoding = targetEncoding
        self.reference = reference
        self.concat = concat
        self.caption = caption
        self.pose = pose
        self.bbox = bbox
        self.targetWidth = targetWidth
        self.targetHeight = targetHeight
        self.referenceMatrix = referenceMatrix
        self.targetMatrix = targetMatrix
        self.view = view
        self.source = source
    }

    /// The field order of every sample (docs/CONTRACTS.md), with the target's extension.
    public var fieldNames: [String] { ["target." + targetEncoding.rawValue, "ref.png", "concat.png", "txt", "json"] }

    /// The `json` member: id, key, kind, split, T, bbox, target size, pose matrices, view, source.
    public func metadata(keyWidth: Int = 10) throws -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "key": .string(try WebDatasetSample.key(forSampleID: id, width: keyWidth)),
            "kind": .string(kind), "split": .string(split),
            "T": .doubles(pose.components), "bbox": .ints(bbox.components),
            "target_size": .ints([targetWidth, targetHeight]),
            "source": .object(source.mapValues { .string($0) }),
        ]
        if let referenceMatrix {
            guard referenceMatrix.count == 12 else { throw ShardError(.badPose, "sample \(id): reference matrix needs 12 values (3x4)") }
            object["ref_pose"] = .matrix(referenceMatrix, columns: 4)
        }
        if let targetMatrix {
            guard targetMatrix.count == 12 else { throw ShardError(.badPose, "sample \(id): target matrix needs 12 values (3x4)") }
            object["target_pose"] = .matrix(targetMatrix, columns: 4)
        }
        if let view { object["view"] = .doubles(view) }
        return .object(object)
    }

    /// The WebDataset sample: key = zero-padded id, members in the fixed field order.
    public func webDatasetSample(keyWidth: Int = 10) throws -> WebDatasetSample {
        let key = try WebDatasetSample.key(forSampleID: id, width: keyWidth)
        let names = fieldNames
        let meta = try metadata(keyWidth: keyWidth).encoded()
        return try WebDatasetSample(key: key, fields: [
            (names[0], target), (names[1], reference), (names[2], concat), (names[3], Array(caption.utf8)), (names[4], meta),
        ])
    }
}
