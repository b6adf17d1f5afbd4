import GRDB

/// The upright size of a photo, learnt when its first object is extracted: sets
/// `image.width` / `image.height` of an existing `image` row.
public struct ImageSize: ItemRecord, Equatable {
    /// The photo's ImageID.
    public var imageID: String
    /// Upright width and height in pixels.
    public var width: Int, height: Int

    /// Creates the update.
    public init(imageID: String, width: Int, height: Int) {
        self.imageID = imageID
        self.width = width
        self.height = height
    }

    public func store(in db: Database) throws {
        try ImageRecord.filter(key: imageID).updateAll(
            db, ImageRecord.CodingKeys.width.set(to: width), ImageRecord.CodingKeys.height.set(to: height))
    }
}
