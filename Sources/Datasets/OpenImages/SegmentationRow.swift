/// One row of an Open Images segmentation CSV (`train-annotations-object-segmentation.csv`, V5,
/// reused by V6/V7; the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html): a mask file and the box it was drawn in.
public struct SegmentationRow: Sendable, Equatable {
    /// The mask's file name, `{ImageID}_{LabelName without "/"}_{BoxID}.png`.
    public var maskPath: String
    /// The 16-hex-digit image id.
    public var imageID: String
    /// The class, e.g. `/m/04yx4`.
    public var labelName: String
    /// The box id (8 hex digits in the real files).
    public var boxID: String
    /// The box, normalised.
    public var box: NormalizedBox
    /// The annotation tool's predicted IoU; nil when the field is empty.
    public var predictedIoU: Double?
    /// The raw Clicks field, `x y t;x y t;...` (parse with `clicks`).
    public var clicksField: String

    /// Creates a row.
    public init(maskPath: String, imageID: String, labelName: String, boxID: String, box: NormalizedBox,
                predictedIoU: Double?, clicksField: String = "") {
        self.maskPath = maskPath
        self.imageID = imageID
        self.labelName = labelName
        self.boxID = boxID
        self.box = box
        self.predictedIoU = predictedIoU
        self.clicksField = clicksField
    }

    /// The annotator clicks: normalised (x, y) and whether the click was positive (t = 1).
    /// Points that do not parse are dropped (the download page, storage.googleapis.com/openimages/web/download_v7.html, does not specify the click format).
    public var clicks: [(x: Double, y: Double, positive: Bool)] {
        clicksField.split(separator: ";").compactMap { point in
            let parts = point.split(separator: " ")
            guard parts.count >= 2, let x = Double(parts[0]), let y = Double(parts[1]) else { return nil }
            return (x, y, parts.count < 3 || parts[2] != "0")
        }
    }
}

/// The column binding of the segmentation CSV; finds columns by name.
public struct SegmentationSchema: CSVRowSchema, Sendable {
    /// The header of the real files.
    public static let columns = ["MaskPath", "ImageID", "LabelName", "BoxID", "BoxXMin", "BoxXMax", "BoxYMin",
                                 "BoxYMax", "PredictedIoU", "Clicks"]
    let maskPath, imageID, labelName, boxID, xMin, xMax, yMin, yMax: Int
    let predictedIoU: Int?
    let clicks: Int?
    let needed: Int

    /// Mask rows are single lines (no field can hold a line break): a quoted field running over
    /// lines is a stray quote, and must not swallow the masks after it.
    public static var allowsLineBreaks: Bool { false }

    public init(header: CSVHeader, path: String) throws {
        let at = try header.indices(of: Array(Self.columns.prefix(8)), path: path)
        (maskPath, imageID, labelName, boxID) = (at[0], at[1], at[2], at[3])
        (xMin, xMax, yMin, yMax) = (at[4], at[5], at[6], at[7])
        predictedIoU = header.index(of: "PredictedIoU")
        clicks = header.index(of: "Clicks")
        needed = ([predictedIoU ?? 0, clicks ?? 0] + at).max()! + 1
    }

    /// Validates the whole record and returns what the join needs, without making Strings.
    @inline(__always)
    func key(_ r: CSVReader) throws(RowProblem) -> (image: UInt64, box: NormalizedBox, iou: Double?) {
        try r.requireFields(needed)
        if r.isEmpty(imageID) { throw RowProblem("ImageID is empty") }
        if r.isEmpty(labelName) { throw RowProblem("LabelName is empty") }
        if r.isEmpty(maskPath) { throw RowProblem("MaskPath is empty") }
        try r.requireContainedName(maskPath, "MaskPath")
        try r.requireContainedName(imageID, "ImageID")
        let box = NormalizedBox(xMin: try r.requiredDouble(xMin, "BoxXMin"), xMax: try r.requiredDouble(xMax, "BoxXMax"),
                                yMin: try r.requiredDouble(yMin, "BoxYMin"), yMax: try r.requiredDouble(yMax, "BoxYMax"))
        try box.validate()
        var iou: Double?
        if let predictedIoU, !r.isEmpty(predictedIoU) {
            guard let value = r.double(predictedIoU) else {
                throw RowProblem("PredictedIoU is not a number: \"\(r.oneLineField(predictedIoU))\"")
            }
            iou = value
        }
        let image = r.withField(imageID) { ImageKey.make($0) }
        return (image, box, iou)
    }

    /// The label field's bytes of the current record (valid inside `body`).
    @inline(__always)
    func withLabel<R>(_ r: CSVReader, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { r.withField(labelName, body) }

    public func parse(_ r: CSVReader) throws(RowProblem) -> SegmentationRow {
        let (_, box, iou) = try key(r)
        return SegmentationRow(maskPath: r.string(maskPath), imageID: r.string(imageID), labelName: r.string(labelName),
                               boxID: r.string(boxID), box: box, predictedIoU: iou,
                               clicksField: clicks.map { r.string($0) } ?? "")
    }
}

/// Reads a segmentation CSV row by row.
public typealias SegmentationCSVReader = TypedCSVReader<SegmentationSchema>
