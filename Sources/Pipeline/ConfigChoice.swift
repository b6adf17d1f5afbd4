/// A closed set of values of a step's configuration (`cameras: random | zero123-cube | ring`,
/// `backend: render | diffusion` ...): decoding any other text fails with the accepted values.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ConfigChoice {
    /// The accepted values, comma-separated, in declaration order.
    public static var acceptedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not one of the accepted values (\(Self.acceptedValues))"
                    + KeySuggestion.phrase(for: text, in: Self.allCases.map(\.rawValue)))
        }
        self = value
    }
}
