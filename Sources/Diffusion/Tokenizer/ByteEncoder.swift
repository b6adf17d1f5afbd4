/// GPT-2 / CLIP's reversible byte-to-character map (OpenAI CLIP `clip/simple_tokenizer.py`
/// `bytes_to_unicode`): printable Latin-1 bytes map to themselves, the other 68 bytes to
/// U+0100 onward in byte order, so every UTF-8 byte string becomes a string BPE can merge.
enum ByteEncoder {
    /// The character of every byte value, indexed by the byte.
    static let characters: [Character] = {
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        var table = [Character](repeating: " ", count: 256)
        for byte in printable { table[byte] = Character(Unicode.Scalar(UInt8(byte))) }
        var next = 256
        for byte in 0..<256 where !printable.contains(byte) {
            table[byte] = Character(Unicode.Scalar(UInt32(next))!)
            next += 1
        }
        return table
    }()

    /// The bytes in `bytes_to_unicode` order (printable first, then the rest): the order of the
    /// first 256 (and, with `</w>`, the next 256) entries of the gzip vocabulary.
    static let order: [Int] = Array(33...126) + Array(161...172) + Array(174...255)
        + (0..<256).filter { !(33...126).contains($0) && !(161...172).contains($0) && !(174...255).contains($0) }

    /// `text`'s UTF-8 bytes as byte characters.
    static func encode<S: Sequence>(_ utf8: S) -> String where S.Element == UInt8 {
        var out = ""
        for byte in utf8 { out.append(characters[Int(byte)]) }
        return out
    }
}
