/// The Rotation of every photo of an image list, keyed compactly by packed ImageID (about 1.9M
/// train images in ~40 MB), for the extraction step to turn photos upright.
public struct RotationTable: Sendable {
    private var rotations: [UInt64: ImageRotation] = [:]
    /// Rows of the image list that were read.
    public private(set) var imagesListed = 0
    /// Rows skipped, with reasons.
    public private(set) var malformed = MalformedRowLog()

    /// An empty table (every rotation unknown).
    public init() {}

    /// Reads an image list (`train-images-boxable-with-rotation.csv` ...), keeping known rotations.
    public init(imageList path: String, malformedCap: Int = 100) throws {
        let reader = try ImageListCSVReader(path: path, malformedCap: malformedCap)
        while let row = try reader.next() {
            imagesListed += 1
            if let rotation = row.rotation { rotations[ImageKey.make(row.imageID)] = rotation }
        }
        malformed = reader.malformed
    }

    /// The rotation of an image: nil when unknown or not listed.
    public func rotation(of imageID: String) -> ImageRotation? { rotations[ImageKey.make(imageID)] }
}
