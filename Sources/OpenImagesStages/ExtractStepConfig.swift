import Datasets
import Foundation
import Imaging
import Manifest
import Pipeline
import Support
import Synchronization

/// The `extract` step's settings: the extraction's framing (`ExtractionConfig`) and the PNG
/// compression of the outputs (`pngCompressionLevel`, zlib 0-9, default 6; 1 writes ~2x faster,
/// files somewhat larger), side by side in one mapping.
public struct ExtractStepConfig: StageConfiguration, Equatable {
    /// Framing.
    public var extraction = ExtractionConfig()
    /// zlib level of the four PNG outputs.
    public var pngCompressionLevel = 6

    public init() {}

    public static var acceptedKeys: [String] { ExtractionConfig.acceptedKeys + [CodingKeys.pngCompressionLevel.rawValue] }

    private enum CodingKeys: String, CodingKey { case pngCompressionLevel }

    public init(from decoder: any Decoder) throws {
        extraction = try ExtractionConfig(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pngCompressionLevel = try c.decodeIfPresent(Int.self, forKey: .pngCompressionLevel) ?? 6
        guard (0...9).contains(pngCompressionLevel) else {
            throw DecodingError.dataCorruptedError(forKey: .pngCompressionLevel, in: c, debugDescription: "must be 0...9 (got \(pngCompressionLevel))")
        }
    }

    /// Every setting within its range: a target size or canvas of 0, a negative or NaN margin
    /// would trap in the extraction.
    public func validate(_ check: ConfigCheck) throws {
        try check.integer("targetSize", extraction.targetSize, in: 16...4096)
        try check.number("squareMargin", extraction.squareMargin, in: 0...10)
        try check.integer("referenceCanvas", extraction.referenceCanvas, in: 16...4096)
        try check.integer("referenceLongSide", extraction.referenceLongSide, in: 1...extraction.referenceCanvas)
        try check.integer(CodingKeys.pngCompressionLevel.rawValue, pngCompressionLevel, in: 0...9)
    }

    public func encode(to encoder: any Encoder) throws {
        try extraction.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pngCompressionLevel, forKey: .pngCompressionLevel)
    }
}

/// The object filters are the `ingest-openimages` step's settings (cn-extract applies their mask checks too).
extension ObjectFilterConfig: StageConfiguration {
    /// Every fraction in 0...1 and finite, the pixel side not negative (a NaN area would pass or
    /// reject every object silently).
    public func validate(_ check: ConfigCheck) throws {
        try check.number("minBoxArea", minBoxArea, in: 0...1)
        try check.number("maxBoxArea", maxBoxArea, in: 0...1)
        try check.require(minBoxArea <= maxBoxArea, "maxBoxArea", "must be at least minBoxArea (got \(minBoxArea) > \(maxBoxArea))")
        try check.integer("minObjectSidePixels", minObjectSidePixels, in: 0...100_000)
        try check.number("minBoxSideFraction", minBoxSideFraction, in: 0...1)
        try check.number("minPredictedIoU", minPredictedIoU, in: 0...1)
        try check.number("minLargestComponentShare", minLargestComponentShare, in: 0...1)
    }
}
