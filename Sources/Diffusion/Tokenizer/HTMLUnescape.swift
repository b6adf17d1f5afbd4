/// HTML character-reference decoding as the CLIP references apply it: Python's `html.unescape`
/// (CPython `Lib/html/__init__.py`: numeric references with the HTML5 replacement table, named
/// references with and without `;`, longest-prefix matching) and ftfy's stricter `unescape_html`
/// (ftfy `fixes.py`: only `&name;` / `&#...;` of at most 24 ASCII letters and digits).
enum HTMLUnescape {
    private static func table(_ text: String) -> [String: [Unicode.Scalar]] {
        var map: [String: [Unicode.Scalar]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            map[String(parts[0])] = parts[1].split(separator: ",").map { Unicode.Scalar(UInt32($0, radix: 16)!)! }
        }
        return map
    }

    /// `html.entities.html5`, keyed by name (with or without `;`).
    static let html5 = table(HTMLEntityTable.html5)
    /// ftfy's entity table: the html5 names ending in `;`, plus its upper-case extras.
    static let ftfyEntities: [String: [Unicode.Scalar]] = {
        var map = html5.filter { $0.key.hasSuffix(";") }
        map.merge(table(HTMLEntityTable.ftfyUpperCase)) { old, _ in old }
        return map
    }()

    /// The characters the numeric references 0x80...0x9F, 0x00 and 0x0D decode to (HTML5, and
    /// also the sloppy Windows-1252 map ftfy's `fix_c1_controls` uses for 0x80...0x9F).
    static let invalidCharacterReferences: [UInt32: Unicode.Scalar] = {
        let windows1252: [UInt32] = [0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160,
                                     0x2039, 0x152, 0x8D, 0x17D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
                                     0x2013, 0x2014, 0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178]
        var map: [UInt32: Unicode.Scalar] = [0x00: "\u{FFFD}", 0x0D: "\r"]
        for (offset, value) in windows1252.enumerated() { map[0x80 + UInt32(offset)] = Unicode.Scalar(value)! }
        return map
    }()

    /// Code points a numeric reference decodes to nothing (CPython `_invalid_codepoints`).
    private static func isInvalidCodePoint(_ n: UInt32) -> Bool {
        (0x1...0x8).contains(n) || (0xE...0x1F).contains(n) || (0x7F...0x9F).contains(n) || (0xFDD0...0xFDEF).contains(n)
            || n == 0xB || (n & 0xFFFE) == 0xFFFE
    }

    /// Decodes one numeric reference's value as `_replace_charref` does.
    private static func numeric(_ value: UInt32?) -> [Unicode.Scalar] {
        guard let n = value, n <= 0x10FFFF else { return ["\u{FFFD}"] }
        if let replacement = invalidCharacterReferences[n] { return [replacement] }
        if (0xD800...0xDFFF).contains(n) { return ["\u{FFFD}"] }
        if isInvalidCodePoint(n) { return [] }
        return [Unicode.Scalar(n)!]
    }

    private static func isASCIIDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
    private static func isASCIIHexDigit(_ s: Unicode.Scalar) -> Bool {
        isASCIIDigit(s) || ("a"..."f").contains(s) || ("A"..."F").contains(s)
    }
    private static func isASCIIAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        isASCIIDigit(s) || ("a"..."z").contains(s) || ("A"..."Z").contains(s)
    }

    /// Parses digits in `radix`, saturating (nil) above U+10FFFF as Python's big integers compare.
    private static func parse(_ digits: ArraySlice<Unicode.Scalar>, radix: UInt32) -> UInt32? {
        var n: UInt32 = 0
        for d in digits {
            let v = UInt32(String(d), radix: Int(radix))!
            n = n * radix + v
            if n > 0x10FFFF { return nil }
        }
        return n
    }

    /// Python's `html.unescape`: the regex `&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)`
    /// with `_replace_charref` applied to every match.
    static func python(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            guard text[i] == "&", let (replacement, end) = reference(text, at: i) else {
                out.append(text[i])
                i += 1
                continue
            }
            out.append(contentsOf: replacement)
            i = end
        }
        return out
    }

    /// The replacement and end of the character reference starting with `&` at `start`, if any.
    private static func reference(_ text: [Unicode.Scalar], at start: Int) -> ([Unicode.Scalar], Int)? {
        var i = start + 1
        func semicolon() { if i < text.count, text[i] == ";" { i += 1 } }
        if i < text.count, text[i] == "#" {
            let digitsStart = i + 1
            var j = digitsStart
            while j < text.count, isASCIIDigit(text[j]) { j += 1 }
            if j > digitsStart {
                i = j
                semicolon()
                return (numeric(parse(text[digitsStart..<j], radix: 10)), i)
            }
            if j < text.count, text[j] == "x" || text[j] == "X" {
                let hexStart = j + 1
                var k = hexStart
                while k < text.count, isASCIIHexDigit(text[k]) { k += 1 }
                if k > hexStart {
                    i = k
                    semicolon()
                    return (numeric(parse(text[hexStart..<k], radix: 16)), i)
                }
            }
            return nil
        }
        let excluded: Set<Unicode.Scalar> = ["\t", "\n", "\u{0C}", " ", "<", "&", "#", ";"]
        var j = i
        while j < text.count, j - i < 32, !excluded.contains(text[j]) { j += 1 }
        guard j > i else { return nil }
        if j < text.count, text[j] == ";" { j += 1 }
        let name = Array(text[i..<j])
        if let value = html5[String(String.UnicodeScalarView(name))] { return (value, j) }
        var x = name.count - 1
        while x > 1 {
            if let value = html5[String(String.UnicodeScalarView(name[..<x]))] { return (value + name[x...], j) }
            x -= 1
        }
        return (["&"] + name, j)
    }

    /// ftfy's `unescape_html`: `&#?[0-9A-Za-z]{1,24};` matches decoded from ftfy's entity table, or,
    /// for `&#...;`, through `html.unescape` unless that leaves a `;` behind.
    static func ftfy(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        var i = 0
        while i < text.count {
            guard text[i] == "&" else {
                out.append(text[i])
                i += 1
                continue
            }
            var j = i + 1
            if j < text.count, text[j] == "#" { j += 1 }
            let nameStart = j
            while j < text.count, isASCIIAlphanumeric(text[j]) { j += 1 }
            let length = j - nameStart
            guard (1...24).contains(length), j < text.count, text[j] == ";" else {
                out.append(text[i])
                i += 1
                continue
            }
            let match = Array(text[i...j])
            let key = String(String.UnicodeScalarView(match.dropFirst()))
            if let value = ftfyEntities[key] {
                out.append(contentsOf: value)
            } else if text[i + 1] == "#" {
                let decoded = python(match)
                out.append(contentsOf: decoded.contains(";") ? match : decoded)
            } else {
                out.append(contentsOf: match)
            }
            i = j + 1
        }
        return out
    }
}
