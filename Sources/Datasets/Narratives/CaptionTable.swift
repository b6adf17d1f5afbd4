/// Captions by ImageID from one or more Localized Narratives files (full or caption-only), for
/// `cn-caption`: the first narrative of an image wins, later ones are counted (the release has
/// about 1% of images with two narratives).
public struct CaptionTable: Sendable {
    /// ImageID -> caption.
    public private(set) var captions: [String: String] = [:]
    /// Narratives read.
    public private(set) var narratives = 0
    /// Narratives for an image that already had one.
    public private(set) var duplicates = 0
    /// Malformed lines of all files.
    public private(set) var malformed = MalformedRowLog()

    /// An empty table.
    public init() {}

    /// Reads every file in order.
    public init(files: [String], malformedCap: Int = 100) throws {
        malformed = MalformedRowLog(cap: malformedCap)
        for file in files {
            let reader = try LocalizedNarrativesReader(path: file, malformedCap: malformedCap)
            while let narrative = try reader.next() {
                narratives += 1
                if captions[narrative.imageID] == nil { captions[narrative.imageID] = narrative.caption } else { duplicates += 1 }
            }
            malformed.merge(reader.malformed)
        }
    }

    /// The caption of an image, nil when none.
    public subscript(imageID: String) -> String? { captions[imageID] }
}
