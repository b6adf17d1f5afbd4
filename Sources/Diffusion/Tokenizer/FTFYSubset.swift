import Foundation

/// The part of `ftfy.fix_text` (ftfy 6, `ftfy/__init__.py` `fix_text` / `fix_and_explain`, with
/// `ftfy/fixes.py` and `chardata.py`) that CLIP's `basic_clean` runs and that can be reproduced
/// exactly: per line, and repeated until nothing changes, `unescape_html` (off from the first line
/// holding a `<` on, as "auto" does), `fix_c1_controls`, `fix_latin_ligatures`,
/// `fix_character_width`, `uncurl_quotes`, `fix_line_breaks`, `remove_terminal_escapes`,
/// `remove_control_chars` and NFC.
///
/// Not reproduced: `fix_encoding` (mojibake detection and repair, with `restore_byte_a0`,
/// `replace_lossy_sequences`, `decode_inconsistent_utf8`), so text that ftfy judges to be
/// mis-decoded (for example "cafÃ©" or "â€œquotedâ€\u{9D}") keeps its mojibake here; `fix_surrogates`
/// (a Swift string cannot hold a lone surrogate); and the 1,000,000-code-point segment cap.
enum FTFYSubset {
    /// ftfy's `fix_text` restricted to the fixers above.
    static func fixText(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var unescape = true
        var start = 0
        while start < text.count {
            var end = start
            while end < text.count, text[end] != "\n" { end += 1 }
            if end < text.count { end += 1 }
            let segment = Array(text[start..<end])
            if segment.contains("<") { unescape = false }
            out.append(contentsOf: fixSegment(segment, unescape: unescape))
            start = end
        }
        return out
    }

    /// `fix_and_explain` on one segment: the fixers in ftfy's order until a fixed point.
    static func fixSegment(_ segment: [Unicode.Scalar], unescape: Bool) -> [Unicode.Scalar] {
        var text = segment
        while true {
            let original = text
            if unescape { text = HTMLUnescape.ftfy(text) }
            text = fixC1Controls(text)
            text = text.flatMap { ligatures[$0.value] ?? [$0] }
            text = text.flatMap { width[$0.value] ?? [$0] }
            text = text.map(uncurl)
            text = fixLineBreaks(text)
            text = removeTerminalEscapes(text)
            text = text.filter { !isControl($0) }
            text = nfc(text)
            if text == original { return text }
        }
    }

    /// `fix_c1_controls`: U+0080...U+009F read as sloppy Windows-1252.
    static func fixC1Controls(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.map { (0x80...0x9F).contains($0.value) ? HTMLUnescape.invalidCharacterReferences[$0.value]! : $0 }
    }

    /// `chardata.LIGATURES`: Latin ligatures and digraphs taken apart.
    static let ligatures: [UInt32: [Unicode.Scalar]] = [
        0x132: ["I", "J"], 0x133: ["i", "j"], 0x149: ["\u{2BC}", "n"], 0x1F1: ["D", "Z"], 0x1F2: ["D", "z"],
        0x1F3: ["d", "z"], 0x1C4: ["D", "\u{17D}"], 0x1C5: ["D", "\u{17E}"], 0x1C6: ["d", "\u{17E}"],
        0x1C7: ["L", "J"], 0x1C8: ["L", "j"], 0x1C9: ["l", "j"], 0x1CA: ["N", "J"], 0x1CB: ["N", "j"],
        0x1CC: ["n", "j"], 0xFB00: ["f", "f"], 0xFB01: ["f", "i"], 0xFB02: ["f", "l"], 0xFB03: ["f", "f", "i"],
        0xFB04: ["f", "f", "l"], 0xFB05: ["\u{17F}", "t"], 0xFB06: ["s", "t"],
    ]

    /// `chardata.WIDTH_MAP`: half- and full-width forms to their standard forms.
    static let width: [UInt32: [Unicode.Scalar]] = {
        var map: [UInt32: [Unicode.Scalar]] = [:]
        for line in HTMLEntityTable.width.split(separator: "\n") {
            let parts = line.split(separator: " ")
            map[UInt32(parts[0], radix: 16)!] = parts[1].split(separator: ",").map { Unicode.Scalar(UInt32($0, radix: 16)!)! }
        }
        return map
    }()

    /// `uncurl_quotes`: U+02BC and U+2018...U+201B to `'`, U+201C...U+201F to `"`.
    static func uncurl(_ s: Unicode.Scalar) -> Unicode.Scalar {
        switch s.value {
        case 0x2BC, 0x2018...0x201B: "'"
        case 0x201C...0x201F: "\""
        default: s
        }
    }

    /// `fix_line_breaks`: CRLF, CR, U+2028, U+2029 and U+0085 to LF.
    static func fixLineBreaks(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            switch text[i].value {
            case 0x0D:
                out.append("\n")
                if i + 1 < text.count, text[i + 1] == "\n" { i += 1 }
            case 0x2028, 0x2029, 0x85: out.append("\n")
            default: out.append(text[i])
            }
            i += 1
        }
        return out
    }

    /// `remove_terminal_escapes`: `\x1b[` then any of (Unicode decimal digit, `;`), then an ASCII letter.
    static func removeTerminalEscapes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("\u{1B}") else { return text }
        var out: [Unicode.Scalar] = []
        var i = 0
        while i < text.count {
            if text[i] == "\u{1B}", i + 1 < text.count, text[i + 1] == "[" {
                var j = i + 2
                while j < text.count, text[j] == ";" || text[j].properties.generalCategory == .decimalNumber { j += 1 }
                if j < text.count, ("a"..."z").contains(text[j]) || ("A"..."Z").contains(text[j]) {
                    i = j + 1
                    continue
                }
            }
            out.append(text[i])
            i += 1
        }
        return out
    }

    /// `chardata.CONTROL_CHARS`: U+0000...U+0008, U+000B, U+000E...U+001F, U+007F, U+206A...U+206F,
    /// U+FEFF and U+FFF9...U+FFFC.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC: true
        default: false
        }
    }

    /// Unicode Normalization Form C.
    static func nfc(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if text.allSatisfy({ $0.isASCII }) { return text }
        let string = String(String.UnicodeScalarView(text))
        return Array(string.precomposedStringWithCanonicalMapping.unicodeScalars)
    }
}
