import Foundation
import Pipeline

/// The `compose` step's settings (Pipelines/*.yaml): how many (reference, target) view pairs each
/// asset gives, where and how large the target object lands in the 256 canvas, and the scene.
public struct ComposeConfig: StageConfiguration, Equatable {
    /// (reference view, target view) pairs drawn per asset, without repetition.
    public var pairsPerAsset = 4
    /// Canvas size (CustomNet trains at 256).
    public var size = 256
    /// Range of the object's box long side as a fraction of the canvas.
    public var scaleMin = 0.35, scaleMax = 0.75
    /// A folder of background photos (.jpg/.png); none: procedural backgrounds.
    public var backgrounds: String?
    /// Contact shadow darkness (0 disables) and blur radius in pixels.
    public var shadowOpacity = 0.35, shadowBlur = 6.0
    /// How far the object's mean colour moves towards the background's (0 disables, 1 matches).
    public var colorMatch = 0.15

    /// The defaults.
    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ComposeConfig()
        pairsPerAsset = try c.decodeIfPresent(Int.self, forKey: .pairsPerAsset) ?? d.pairsPerAsset
        size = try c.decodeIfPresent(Int.self, forKey: .size) ?? d.size
        scaleMin = try c.decodeIfPresent(Double.self, forKey: .scaleMin) ?? d.scaleMin
        scaleMax = try c.decodeIfPresent(Double.self, forKey: .scaleMax) ?? d.scaleMax
        backgrounds = try c.decodeIfPresent(String.self, forKey: .backgrounds)
        shadowOpacity = try c.decodeIfPresent(Double.self, forKey: .shadowOpacity) ?? d.shadowOpacity
        shadowBlur = try c.decodeIfPresent(Double.self, forKey: .shadowBlur) ?? d.shadowBlur
        colorMatch = try c.decodeIfPresent(Double.self, forKey: .colorMatch) ?? d.colorMatch
    }

    /// Every setting within its range: a size of 0 or a NaN scale would trap in the compositor.
    public func validate(_ check: ConfigCheck) throws {
        try check.integer(CodingKeys.pairsPerAsset.rawValue, pairsPerAsset, in: 1...10_000)
        try check.integer(CodingKeys.size.rawValue, size, in: 16...4096)
        try check.number(CodingKeys.scaleMin.rawValue, scaleMin, in: 0.01...1)
        try check.number(CodingKeys.scaleMax.rawValue, scaleMax, in: 0.01...1)
        try check.require(scaleMin <= scaleMax, CodingKeys.scaleMax.rawValue, "must be at least scale_min (got \(scaleMin) > \(scaleMax))")
        try check.number(CodingKeys.shadowOpacity.rawValue, shadowOpacity, in: 0...1)
        try check.number(CodingKeys.shadowBlur.rawValue, shadowBlur, in: 0...256)
        try check.number(CodingKeys.colorMatch.rawValue, colorMatch, in: 0...1)
    }

    /// The accepted keys.
    public static var acceptedKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case size, backgrounds
        case pairsPerAsset = "pairs_per_asset", scaleMin = "scale_min", scaleMax = "scale_max"
        case shadowOpacity = "shadow_opacity", shadowBlur = "shadow_blur", colorMatch = "color_match"
    }
}
