/// The settings of the Open Images object filters, decodable from a pipeline config (YAML or
/// JSON); every field has a default, so `{}` is a valid config.
///
/// Defaults follow the published practice of Paint-by-Example (arXiv:2211.13227) and AnyDoor (arXiv:2307.09481): Paint-by-Example keeps boxes
/// whose normalised area is in [0.02, 0.8]; AnyDoor keeps masks whose largest connected component
/// holds over 90% of the mask. Boxes flagged IsGroupOf / IsDepiction / IsInside are excluded (the
/// Open Images masks already omit them, but box-only sources may not). CustomNet publishes no filter.
public struct ObjectFilterConfig: Sendable, Equatable, Codable {
    /// Smallest box area as a fraction of the image (Paint-by-Example: 0.02).
    public var minBoxArea: Double = 0.02
    /// Largest box area as a fraction of the image (Paint-by-Example: 0.8).
    public var maxBoxArea: Double = 0.8
    /// Smallest box side in image pixels, checked when the image size is known (the reference
    /// canvas shows the object at 200 px; much smaller objects are upscaled blur).
    public var minObjectSidePixels: Int = 48
    /// Smallest box side as a fraction of the image side (AnyDoor uses 0.1; 0 disables).
    public var minBoxSideFraction: Double = 0
    /// Smallest PredictedIoU, checked only when the row has one.
    public var minPredictedIoU: Double = 0.6
    /// Reject IsGroupOf boxes.
    public var excludeGroupOf = true
    /// Reject IsDepiction boxes.
    public var excludeDepiction = true
    /// Reject IsInside boxes.
    public var excludeInside = true
    /// Reject IsTruncated boxes (a truncated object has no complete silhouette to re-pose).
    public var excludeTruncated = true
    /// Reject IsOccluded boxes.
    public var excludeOccluded = false
    /// Reject masks no box row matched (their flags are unknown).
    public var excludeUnmatched = false
    /// Smallest share of the mask held by its largest connected component (AnyDoor: 0.9).
    public var minLargestComponentShare: Double = 0.9
    /// Reject masks that touch the image border when `excludeTruncated` is set.
    public var rejectBorderTouchingMasks = true

    /// The defaults.
    public init() {}

    /// The keys a pipeline's `ingest-openimages` step may set.
    public static var acceptedKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case minBoxArea, maxBoxArea, minObjectSidePixels, minBoxSideFraction, minPredictedIoU, excludeGroupOf,
             excludeDepiction, excludeInside, excludeTruncated, excludeOccluded, excludeUnmatched,
             minLargestComponentShare, rejectBorderTouchingMasks
    }

    /// Decodes a config; absent fields keep their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ObjectFilterConfig()
        minBoxArea = try c.decodeIfPresent(Double.self, forKey: .minBoxArea) ?? d.minBoxArea
        maxBoxArea = try c.decodeIfPresent(Double.self, forKey: .maxBoxArea) ?? d.maxBoxArea
        minObjectSidePixels = try c.decodeIfPresent(Int.self, forKey: .minObjectSidePixels) ?? d.minObjectSidePixels
        minBoxSideFraction = try c.decodeIfPresent(Double.self, forKey: .minBoxSideFraction) ?? d.minBoxSideFraction
        minPredictedIoU = try c.decodeIfPresent(Double.self, forKey: .minPredictedIoU) ?? d.minPredictedIoU
        excludeGroupOf = try c.decodeIfPresent(Bool.self, forKey: .excludeGroupOf) ?? d.excludeGroupOf
        excludeDepiction = try c.decodeIfPresent(Bool.self, forKey: .excludeDepiction) ?? d.excludeDepiction
        excludeInside = try c.decodeIfPresent(Bool.self, forKey: .excludeInside) ?? d.excludeInside
        excludeTruncated = try c.decodeIfPresent(Bool.self, forKey: .excludeTruncated) ?? d.excludeTruncated
        excludeOccluded = try c.decodeIfPresent(Bool.self, forKey: .excludeOccluded) ?? d.excludeOccluded
        excludeUnmatched = try c.decodeIfPresent(Bool.self, forKey: .excludeUnmatched) ?? d.excludeUnmatched
        minLargestComponentShare = try c.decodeIfPresent(Double.self, forKey: .minLargestComponentShare)
            ?? d.minLargestComponentShare
        rejectBorderTouchingMasks = try c.decodeIfPresent(Bool.self, forKey: .rejectBorderTouchingMasks)
            ?? d.rejectBorderTouchingMasks
    }
}
