/// How the CLIP tokenizer cleans and splits text before BPE: the two reference behaviours differ
/// on HTML entities, curly quotes, ligatures, full-width forms, control characters, Greek final
/// sigma and special-token literals, and agree on everything else.
public enum CLIPTextCleaning: String, Sendable, CaseIterable {
    /// OpenAI CLIP `clip/simple_tokenizer.py` (and open_clip's `SimpleTokenizer`, clean="lower"):
    /// `ftfy.fix_text` (the `FTFYSubset` part), `html.unescape` twice, strip, whitespace runs to
    /// one space, Python `str.lower`; then the case-insensitive split, where a literal
    /// `<|startoftext|>` / `<|endoftext|>` is its special token.
    case openAI = "openai"
    /// transformers 5 `CLIPTokenizer` (`models/clip/tokenization_clip.py`, HF tokenizers backend):
    /// special tokens matched in the raw text first, then per remaining piece NFC, `\s+` to one
    /// space, per-character lower-casing; then the case-sensitive split, all pieces through BPE.
    case huggingFace = "huggingface"

    /// The cleaned text of one piece (for `.huggingFace`, text between special tokens).
    func clean(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch self {
        case .openAI:
            var t = FTFYSubset.fixText(text)
            t = HTMLUnescape.python(HTMLUnescape.python(t))
            t = UnicodeRules.pythonStrip(t)
            t = collapseWhitespace(t, isSpace: UnicodeRules.isPythonSpace, trim: true)
            return UnicodeRules.lowercased(t, finalSigma: true)
        case .huggingFace:
            let t = collapseWhitespace(FTFYSubset.nfc(text), isSpace: UnicodeRules.isRegexSpace, trim: false)
            return UnicodeRules.lowercased(t, finalSigma: false)
        }
    }

    /// Every run of `isSpace` characters to one space (`" ".join(text.split())` when `trim`,
    /// `re.sub(r"\s+", " ", text)` otherwise).
    private func collapseWhitespace(_ text: [Unicode.Scalar], isSpace: (Unicode.Scalar) -> Bool, trim: Bool) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var inSpace = false
        for s in text {
            if isSpace(s) {
                if !inSpace { out.append(" ") }
                inSpace = true
            } else {
                out.append(s)
                inSpace = false
            }
        }
        if trim {
            if out.first == " " { out.removeFirst() }
            if out.last == " " { out.removeLast() }
        }
        return out
    }
}
