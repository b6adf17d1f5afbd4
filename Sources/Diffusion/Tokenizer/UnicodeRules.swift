/// The Unicode predicates and case mapping of the reference tokenizers' runtimes: Python's
/// `str.isspace` and `str.lower` (CPython `Objects/unicodeobject.c`, including the Final_Sigma
/// rule), the `regex` module's `\s` (the White_Space property) and the general categories behind
/// `\p{L}` / `\p{N}`. Character data comes from Swift's standard library, so characters assigned in
/// a Unicode version newer than the reference interpreter's may classify differently.
enum UnicodeRules {
    /// Python's `str.isspace()` (bidirectional class WS, B or S, or category Zs): White_Space plus
    /// U+001C...U+001F.
    static func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace || (0x1C...0x1F).contains(s.value)
    }

    /// `\s` of the `regex` module and of Oniguruma: the White_Space property.
    static func isRegexSpace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace
    }

    /// `\p{L}`: general category L (Lu, Ll, Lt, Lm, Lo).
    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    /// `\p{N}`: general category N (Nd, Nl, No).
    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    /// Python's `str.strip()`: drops leading and trailing `isspace` characters.
    static func pythonStrip(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let first = text.firstIndex(where: { !isPythonSpace($0) }),
              let last = text.lastIndex(where: { !isPythonSpace($0) }) else { return [] }
        return Array(text[first...last])
    }

    /// Lower-cases with the full (SpecialCasing) mappings; with `finalSigma`, U+03A3 becomes final
    /// ς in the Final_Sigma context as Python's `str.lower` does (CPython `handle_capital_sigma`),
    /// without it σ everywhere as Rust's `char::to_lowercase` in HF tokenizers' `Lowercase` does.
    static func lowercased(_ text: [Unicode.Scalar], finalSigma: Bool) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for (i, s) in text.enumerated() {
            if finalSigma, s.value == 0x3A3 {
                out.append(Unicode.Scalar(isFinalSigma(text, at: i) ? 0x3C2 : 0x3C3)!)
            } else {
                out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return out
    }

    /// \p{cased}\p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased}).
    private static func isFinalSigma(_ text: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0, text[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0, text[j].properties.isCased else { return false }
        j = i + 1
        while j < text.count, text[j].properties.isCaseIgnorable { j += 1 }
        return j == text.count || !text[j].properties.isCased
    }
}
