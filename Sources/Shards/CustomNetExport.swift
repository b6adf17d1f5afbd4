/// The contents of CustomNet's per-sample `meta.json` (CustomNet, arXiv:2310.19784 and github.com/TencentARC/CustomNet data/dataset.py, as in
/// TencentARC/CustomNet examples/dataset/car/meta.json): subject text, caption, bbox [x, y, w, h]
/// in input-image pixels, and the synthesised views [[x, y, z], [-x, -y, z]] (polar and azimuth
/// in integer degrees, radius change).
public struct CustomNetMeta: Sendable, Equatable {
    /// The subject noun ("car").
    public var subject: String
    /// The caption of the whole photo.
    public var caption: String
    /// The object box in input.jpg pixels.
    public var bbox: PixelBox
    /// One (polar, azimuth, radius) triple per multi_view_NN.jpg.
    public var views: [[Int]]

    /// Creates the metadata.
    public init(subject: String, caption: String, bbox: PixelBox, views: [[Int]]) {
        self.subject = subject
        self.caption = caption
        self.bbox = bbox
        self.views = views
    }

    /// The two views CustomNet's process_data.sh synthesises for a drawn (x, y): (x, y, 0) and (-x, -y, 0).
    public static func mirroredViews(polar: Int, azimuth: Int) -> [[Int]] { [[polar, azimuth, 0], [-polar, -azimuth, 0]] }

    /// meta.json as canonical JSON (keys sorted; CustomNet's loader reads it with json.load).
    public var json: JSONValue {
        .object(["sbj_txt": .string(subject), "caption": .string(caption), "bbox": .ints(bbox.components),
                 "view": .array(views.map { .ints($0) })])
    }
}

/// `cn-shard --format customnet`: CustomNet's own training layout, one folder per sample holding
/// input.jpg (the target photo), mask.jpg, multi_view_00.jpg, multi_view_01.jpg ... and meta.json
/// (TencentARC/CustomNet data/dataset.py reads exactly these names). Files arrive JPEG-encoded.
public enum CustomNetExport {
    /// The fixed file names of one sample folder for `viewCount` synthesised views.
    public static func fileNames(viewCount: Int) -> [String] {
        ["input.jpg", "mask.jpg"] + (0..<viewCount).map { multiViewName($0) } + ["meta.json"]
    }

    /// "multi_view_{i:02d}.jpg".
    public static func multiViewName(_ index: Int) -> String { index < 10 ? "multi_view_0\(index).jpg" : "multi_view_\(index).jpg" }

    /// Writes `{root}/{name}/` atomically (staging folder, fsync, rename). `views[i]` must match
    /// `meta.views[i]`; every image must be a JPEG. Returns the folder path.
    @discardableResult
    public static func write(root: String, name: String, input: [UInt8], mask: [UInt8], views: [[UInt8]], meta: CustomNetMeta) throws -> String {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw ShardError(.badExportName, "CustomNet sample folder name \"\(name)\" must be a plain name")
        }
        guard views.count == meta.views.count, !views.isEmpty else {
            throw ShardError(.badExportViews, "sample \(name): \(views.count) view images for \(meta.views.count) views in meta")
        }
        guard meta.views.allSatisfy({ $0.count == 3 }) else {
            throw ShardError(.badExportViews, "sample \(name): every view must be [polar, azimuth, radius]")
        }
        for (label, bytes) in [("input.jpg", input), ("mask.jpg", mask)] + views.enumerated().map({ (multiViewName($0.offset), $0.element) }) {
            guard ExportFolder.isJPEG(bytes) else {
                throw ShardError(.badExportImage, "sample \(name): \(label) is not JPEG data")
            }
        }
        var files: [(name: String, bytes: [UInt8])] = [("input.jpg", input), ("mask.jpg", mask)]
        for (index, view) in views.enumerated() { files.append((multiViewName(index), view)) }
        files.append(("meta.json", try meta.json.encoded()))
        let destination = root + "/" + name
        try ExportFolder.publish(files: files, to: destination)
        return destination
    }
}
