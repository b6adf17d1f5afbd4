/// One row of an Open Images box CSV (`oidv6-train-annotations-bbox.csv`: 21 columns; validation
/// and test files: the first 13; the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html). The XClick columns are not kept.
public struct BoxRow: Sendable, Equatable {
    /// The 16-hex-digit image id.
    public var imageID: String
    /// Who drew the box (xclick, activemil ...).
    public var source: String
    /// The class, e.g. `/m/04yx4`.
    public var labelName: String
    /// Confidence (1 for human boxes); nil when empty.
    public var confidence: Double?
    /// The box, normalised.
    public var box: NormalizedBox
    /// IsOccluded, IsTruncated, IsGroupOf, IsDepiction, IsInside.
    public var flags: BoxFlags

    /// Creates a row.
    public init(imageID: String, source: String, labelName: String, confidence: Double?, box: NormalizedBox, flags: BoxFlags) {
        self.imageID = imageID
        self.source = source
        self.labelName = labelName
        self.confidence = confidence
        self.box = box
        self.flags = flags
    }
}

/// The column binding of the box CSV (13 or 21 columns); finds columns by name.
public struct BoxSchema: CSVRowSchema, Sendable {
    /// The 13 columns every box file has (the train file adds XClick1X..XClick4Y).
    public static let columns = ["ImageID", "Source", "LabelName", "Confidence", "XMin", "XMax", "YMin", "YMax",
                                 "IsOccluded", "IsTruncated", "IsGroupOf", "IsDepiction", "IsInside"]
    let imageID, labelName, xMin, xMax, yMin, yMax: Int
    let source, confidence: Int?
    let flagColumns: [Int]
    let needed: Int

    public init(header: CSVHeader, path: String) throws {
        let at = try header.indices(of: ["ImageID", "LabelName", "XMin", "XMax", "YMin", "YMax", "IsOccluded",
                                         "IsTruncated", "IsGroupOf", "IsDepiction", "IsInside"], path: path)
        (imageID, labelName, xMin, xMax, yMin, yMax) = (at[0], at[1], at[2], at[3], at[4], at[5])
        flagColumns = Array(at[6...])
        source = header.index(of: "Source")
        confidence = header.index(of: "Confidence")
        needed = ([source ?? 0, confidence ?? 0] + at).max()! + 1
    }

    /// Checks the field count and reads the image key (cheap: no numbers parsed).
    @inline(__always)
    func imageKey(_ r: CSVReader) throws(RowProblem) -> UInt64 {
        try r.requireFields(needed)
        if r.isEmpty(imageID) { throw RowProblem("ImageID is empty") }
        return r.withField(imageID) { ImageKey.make($0) }
    }

    /// The label field's bytes of the current record (valid inside `body`).
    @inline(__always)
    func withLabel<R>(_ r: CSVReader, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { r.withField(labelName, body) }

    /// Parses the box and the five flags.
    @inline(__always)
    func boxAndFlags(_ r: CSVReader) throws(RowProblem) -> (NormalizedBox, BoxFlags) {
        let box = NormalizedBox(xMin: try r.requiredDouble(xMin, "XMin"), xMax: try r.requiredDouble(xMax, "XMax"),
                                yMin: try r.requiredDouble(yMin, "YMin"), yMax: try r.requiredDouble(yMax, "YMax"))
        try box.validate()
        var values: (TriState, TriState, TriState, TriState, TriState) = (.unknown, .unknown, .unknown, .unknown, .unknown)
        for k in 0..<5 {
            guard let value = r.withField(flagColumns[k], { TriState.parse($0) }) else {
                throw RowProblem("\(BoxSchema.columns[8 + k]) must be 1, 0 or -1, found \"\(r.oneLineField(flagColumns[k]))\"")
            }
            switch k {
            case 0: values.0 = value
            case 1: values.1 = value
            case 2: values.2 = value
            case 3: values.3 = value
            default: values.4 = value
            }
        }
        return (box, BoxFlags(isOccluded: values.0, isTruncated: values.1, isGroupOf: values.2,
                              isDepiction: values.3, isInside: values.4))
    }

    public func parse(_ r: CSVReader) throws(RowProblem) -> BoxRow {
        _ = try imageKey(r)
        if r.isEmpty(labelName) { throw RowProblem("LabelName is empty") }
        let (box, flags) = try boxAndFlags(r)
        var confidenceValue: Double?
        if let confidence, !r.isEmpty(confidence) {
            guard let value = r.double(confidence) else { throw RowProblem("Confidence is not a number") }
            confidenceValue = value
        }
        return BoxRow(imageID: r.string(imageID), source: source.map { r.string($0) } ?? "", labelName: r.string(labelName),
                      confidence: confidenceValue, box: box, flags: flags)
    }
}

/// Reads a box CSV row by row.
public typealias BoxCSVReader = TypedCSVReader<BoxSchema>
