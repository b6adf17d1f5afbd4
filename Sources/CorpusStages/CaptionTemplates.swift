import Support
import Foundation

/// Templated background captions (the project's fallback when neither human narratives nor an
/// external captioner are available), phrased like CustomNet's prompts ("a car parked in front
/// of a house"): object name + scene description, template drawn from the item's stream.
public enum CaptionTemplates {
    static let withScene = [
        "a photo of a %@ on %@", "a %@ standing on %@", "a %@ placed on %@", "a close-up photo of a %@ on %@",
    ]
    static let withoutScene = ["a photo of a %@", "a %@ in a natural scene", "a picture of a %@"]

    /// A caption for an object in a scene (scene nil: object-only templates).
    public static func caption(object: String, scene: String?, random: inout SeededRandom) -> String {
        let noun = object.lowercased()
        if let scene {
            let template = withScene[random.integer(below: withScene.count)]
            return fill(template, [noun, scene])
        }
        return fill(withoutScene[random.integer(below: withoutScene.count)], [noun])
    }

    static func fill(_ template: String, _ values: [String]) -> String {
        var out = ""
        var index = 0
        var rest = Substring(template)
        while let range = rest.range(of: "%@") {
            out += rest[..<range.lowerBound]
            out += index < values.count ? values[index] : ""
            index += 1
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
