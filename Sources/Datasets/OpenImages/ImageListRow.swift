/// How an Open Images photo must be turned to display upright: the `Rotation` column of
/// `train-images-boxable-with-rotation.csv`, degrees counter-clockwise by which "the image and
/// boxes should be rotated" (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html; Open Images' 2018-05-17 rotation note). About 2.6% of
/// images are non-zero; nan means the original was gone from Flickr.
public enum ImageRotation: Int, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// 0 degrees.
    case none = 0
    /// 90 degrees counter-clockwise.
    case counterClockwise90 = 90
    /// 180 degrees.
    case upsideDown = 180
    /// 270 degrees counter-clockwise (90 clockwise).
    case counterClockwise270 = 270

    /// Parses the Rotation field: "0", "90.0", "180", "270.0" ... Returns `.success(nil)` for an
    /// empty field or "nan" (unknown), a failure for anything else.
    public static func parse(_ text: String) -> Result<ImageRotation?, RowProblem> {
        let trimmed = text.trimmingSpaces
        if trimmed.isEmpty || trimmed.lowercased() == "nan" { return .success(nil) }
        // Finite and small before the conversion to Int: Int(inf) or Int(1e300) would trap.
        guard let degrees = Double(trimmed), degrees.isFinite, abs(degrees) <= 3600, degrees.rounded() == degrees,
              let rotation = ImageRotation(rawValue: ((Int(degrees) % 360) + 360) % 360)
        else { return .failure(RowProblem("Rotation must be 0, 90, 180 or 270 (or empty/nan), found \"\(trimmed)\"")) }
        return .success(rotation)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}

/// One row of an Open Images image list (`train-images-boxable-with-rotation.csv` and similar):
/// the id, provenance and rotation of a photo. Only ImageID is required; other columns are
/// empty when absent.
public struct ImageListRow: Sendable, Equatable {
    /// The 16-hex-digit image id.
    public var imageID: String
    /// train, validation or test.
    public var subset: String
    /// Where the photo came from.
    public var originalURL: String
    /// License URL.
    public var license: String
    /// Author name.
    public var author: String
    /// Title.
    public var title: String
    /// The original file size in bytes, when given.
    public var originalSize: Int?
    /// The rotation to apply; nil when unknown (empty or nan) or when the file has no Rotation column.
    public var rotation: ImageRotation?

    /// Creates a row.
    public init(imageID: String, subset: String = "", originalURL: String = "", license: String = "",
                author: String = "", title: String = "", originalSize: Int? = nil, rotation: ImageRotation? = nil) {
        self.imageID = imageID
        self.subset = subset
        self.originalURL = originalURL
        self.license = license
        self.author = author
        self.title = title
        self.originalSize = originalSize
        self.rotation = rotation
    }
}

/// The column binding of an image list; only ImageID is required.
public struct ImageListSchema: CSVRowSchema, Sendable {
    /// The header of `train-images-boxable-with-rotation.csv`.
    public static let columns = ["ImageID", "Subset", "OriginalURL", "OriginalLandingURL", "License", "AuthorProfileURL",
                                 "Author", "Title", "OriginalSize", "OriginalMD5", "Thumbnail300KURL", "Rotation"]
    let imageID: Int
    let subset, url, license, author, title, size, rotation: Int?

    public init(header: CSVHeader, path: String) throws {
        imageID = try header.indices(of: ["ImageID"], path: path)[0]
        subset = header.index(of: "Subset")
        url = header.index(of: "OriginalURL")
        license = header.index(of: "License")
        author = header.index(of: "Author")
        title = header.index(of: "Title")
        size = header.index(of: "OriginalSize")
        rotation = header.index(of: "Rotation")
    }

    public func parse(_ r: CSVReader) throws(RowProblem) -> ImageListRow {
        guard imageID < r.fieldCount, !r.isEmpty(imageID) else { throw RowProblem("ImageID is missing") }
        func text(_ column: Int?) -> String { column.flatMap { $0 < r.fieldCount ? r.string($0) : nil } ?? "" }
        var row = ImageListRow(imageID: r.string(imageID), subset: text(subset), originalURL: text(url), license: text(license),
                               author: text(author), title: text(title))
        if let size, size < r.fieldCount, !r.isEmpty(size) { row.originalSize = r.int(size) }
        if let rotation, rotation < r.fieldCount {
            switch ImageRotation.parse(r.string(rotation)) {
            case .success(let value): row.rotation = value
            case .failure(let problem): throw problem
            }
        }
        return row
    }
}

/// Reads an image list row by row.
public typealias ImageListCSVReader = TypedCSVReader<ImageListSchema>
