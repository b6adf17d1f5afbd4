/// CLIP's word split, the regex
/// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// (OpenAI CLIP `clip/simple_tokenizer.py`, compiled with `regex.IGNORECASE`; transformers'
/// `CLIPTokenizer` uses it case-sensitively) applied with `findall` semantics: at each position the
/// first alternative that matches wins, with greedy runs, and characters no alternative matches
/// (whitespace) are skipped.
enum PreTokenizer {
    /// One piece of the split.
    struct Piece: Equatable {
        /// The matched characters.
        let text: ArraySlice<Unicode.Scalar>
        /// Whether it is the `<|startoftext|>` (0) or `<|endoftext|>` (1) alternative.
        let special: Int?
    }

    static let specials: [[Unicode.Scalar]] = [Array("<|startoftext|>".unicodeScalars), Array("<|endoftext|>".unicodeScalars)]
    private static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }

    /// Splits cleaned text; `ignoreCase` reproduces the `regex` module's IGNORECASE quirks that can
    /// survive lower-casing: U+017F ſ matches `s` (simple case folding), and U+0345 (whose case
    /// variants are letters) matches neither `[\p{L}]` nor `[^\s\p{L}\p{N}]`.
    static func split(_ text: [Unicode.Scalar], ignoreCase: Bool) -> [Piece] {
        var pieces: [Piece] = []
        var i = 0
        func isOther(_ s: Unicode.Scalar) -> Bool {
            !UnicodeRules.isRegexSpace(s) && !UnicodeRules.isLetter(s) && !UnicodeRules.isNumber(s)
                && !(ignoreCase && s.value == 0x345)
        }
        func matches(_ literal: [Unicode.Scalar], at position: Int) -> Bool {
            guard position + literal.count <= text.count else { return false }
            for (k, expected) in literal.enumerated() {
                let s = text[position + k]
                if s != expected && !(ignoreCase && expected == "s" && s.value == 0x17F) { return false }
            }
            return true
        }
        while i < text.count {
            let s = text[i]
            if let special = specials.firstIndex(where: { matches($0, at: i) }) {
                pieces.append(Piece(text: text[i..<(i + specials[special].count)], special: special))
                i += specials[special].count
            } else if s == "'", let tail = contractions.first(where: { matches($0, at: i + 1) }) {
                pieces.append(Piece(text: text[i..<(i + 1 + tail.count)], special: nil))
                i += 1 + tail.count
            } else if UnicodeRules.isLetter(s) {
                var j = i + 1
                while j < text.count, UnicodeRules.isLetter(text[j]) { j += 1 }
                pieces.append(Piece(text: text[i..<j], special: nil))
                i = j
            } else if UnicodeRules.isNumber(s) {
                pieces.append(Piece(text: text[i..<(i + 1)], special: nil))
                i += 1
            } else if isOther(s) {
                var j = i + 1
                while j < text.count, isOther(text[j]) { j += 1 }
                pieces.append(Piece(text: text[i..<j], special: nil))
                i = j
            } else {
                i += 1
            }
        }
        return pieces
    }
}
