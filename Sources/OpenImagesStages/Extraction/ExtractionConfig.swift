/// How the target view is framed around an extracted object.
public enum TargetFraming: String, Sendable, Equatable, Codable, CaseIterable {
    /// A square around the object's box, grown by `squareMargin`, kept inside the photo where it
    /// fits and padded with white where it does not; aspect preserved.
    case square
    /// CustomNet's loader (data/dataset.py): the whole photo resized to the target size, aspect not kept.
    case resize
}

extension TargetFraming {
    /// Decodes a framing name; any other text fails with the accepted values.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = TargetFraming(rawValue: text) else {
            let accepted = TargetFraming.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not one of the accepted values (\(accepted))")
        }
        self = value
    }
}

/// The settings of Open Images object extraction, decodable from a pipeline config; every field
/// has a default. The reference framing is Zero-1-to-3's and CustomNet's (CustomNet, arXiv:2310.19784 and github.com/TencentARC/CustomNet data/dataset.py):
/// the object's long side 200 px, centred on a 256x256 white canvas.
public struct ExtractionConfig: Sendable, Equatable, Codable {
    /// Side of the square target image (CustomNet trains at 256).
    public var targetSize: Int = 256
    /// How the target is framed.
    public var targetFraming: TargetFraming = .square
    /// Extra space around the box on each side in `square` framing, as a fraction of the box's long side.
    public var squareMargin: Double = 0.15
    /// Side of the square reference canvas.
    public var referenceCanvas: Int = 256
    /// The object's long side on the reference canvas.
    public var referenceLongSide: Int = 200
    /// Enlarge objects smaller than `referenceLongSide` (zero123 framing) or only shrink larger
    /// ones (CustomNet's process_data.sh: "shrink so the long side is <= 200").
    public var referenceUpscale = true
    /// Rotate the photo by the image list's Rotation before extraction.
    public var applyRotation = true

    /// The defaults.
    public init() {}

    /// The keys a pipeline's `extract` step may set for the extraction.
    public static var acceptedKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case targetSize, targetFraming, squareMargin, referenceCanvas, referenceLongSide, referenceUpscale, applyRotation
    }

    /// Decodes a config; absent fields keep their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ExtractionConfig()
        targetSize = try c.decodeIfPresent(Int.self, forKey: .targetSize) ?? d.targetSize
        targetFraming = try c.decodeIfPresent(TargetFraming.self, forKey: .targetFraming) ?? d.targetFraming
        squareMargin = try c.decodeIfPresent(Double.self, forKey: .squareMargin) ?? d.squareMargin
        referenceCanvas = try c.decodeIfPresent(Int.self, forKey: .referenceCanvas) ?? d.referenceCanvas
        referenceLongSide = try c.decodeIfPresent(Int.self, forKey: .referenceLongSide) ?? d.referenceLongSide
        referenceUpscale = try c.decodeIfPresent(Bool.self, forKey: .referenceUpscale) ?? d.referenceUpscale
        applyRotation = try c.decodeIfPresent(Bool.self, forKey: .applyRotation) ?? d.applyRotation
    }
}
