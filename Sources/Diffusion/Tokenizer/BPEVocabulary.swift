import CGzip
import Foundation

/// CLIP's BPE vocabulary: token ids and merge ranks, read from OpenAI's
/// `bpe_simple_vocab_16e6.txt.gz` as `clip/simple_tokenizer.py` builds it (256 byte characters, the
/// same with `</w>`, the first 48,894 merges joined, then `<|startoftext|>`, `<|endoftext|>`: 49,408
/// ids), or from Hugging Face's `vocab.json` + `merges.txt` (tokenizers `BPE::from_file`).
struct BPEVocabulary: Sendable {
    /// A merge: its priority (lower merges first) and the id of the merged symbol.
    struct Merge: Sendable {
        let rank: Int32
        let merged: Int32
    }

    /// Token string to id.
    let encoder: [String: Int]
    /// Merges keyed by `pairKey(first, second)`.
    let merges: [UInt64: Merge]
    /// The id of every byte's character, and of the same with `</w>` (word end).
    let byteIDs: [Int32]
    let byteEndOfWordIDs: [Int32]
    /// `<|startoftext|>` and `<|endoftext|>`.
    let startOfText: Int
    let endOfText: Int

    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    /// The number of merges `simple_tokenizer.py` keeps from the gzip file (lines 1...48,894).
    static let gzipMergeCount = 49152 - 256 - 2

    /// Reads `bpe_simple_vocab_16e6.txt.gz`.
    init(gzipFile path: String) throws(TokenizerError) {
        let text = try BPEVocabulary.gunzip(path)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > BPEVocabulary.gzipMergeCount else {
            throw TokenizerError(.badVocabulary, "\(path): \(lines.count) lines, a CLIP BPE vocabulary has a header and \(BPEVocabulary.gzipMergeCount) merges")
        }
        var pairs: [(Substring, Substring)] = []
        pairs.reserveCapacity(BPEVocabulary.gzipMergeCount)
        for (number, line) in lines[1...BPEVocabulary.gzipMergeCount].enumerated() {
            let parts = line.split(whereSeparator: { $0.unicodeScalars.allSatisfy(UnicodeRules.isPythonSpace) })
            guard parts.count == 2 else {
                throw TokenizerError(.badVocabulary, "\(path) line \(number + 2): expected two symbols, found \(parts.count)")
            }
            pairs.append((parts[0], parts[1]))
        }
        var vocabulary = ByteEncoder.order.map { String(ByteEncoder.characters[$0]) }
        vocabulary += vocabulary.map { $0 + "</w>" }
        vocabulary += pairs.map { String($0.0 + $0.1) }
        vocabulary += ["<|startoftext|>", "<|endoftext|>"]
        var encoder: [String: Int] = [:]
        for (id, token) in vocabulary.enumerated() { encoder[token] = id }
        try self.init(encoder: encoder, pairs: pairs, source: path)
    }

    /// Reads Hugging Face's `vocab.json` (token to id) and `merges.txt` (an optional `#version`
    /// line, then one "first second" pair per line, highest priority first).
    init(vocabJSON: String, merges mergesPath: String) throws(TokenizerError) {
        let data = try BPEVocabulary.read(vocabJSON)
        guard let object = try? JSONSerialization.jsonObject(with: data), let dictionary = object as? [String: Any] else {
            throw TokenizerError(.badVocabulary, "\(vocabJSON): not a JSON object of token ids")
        }
        var encoder: [String: Int] = [:]
        for (token, value) in dictionary {
            guard let number = value as? NSNumber, let id = Int(exactly: number.doubleValue) else {
                throw TokenizerError(.badVocabulary, "\(vocabJSON): token \(token.debugDescription) has a non-integer id")
            }
            encoder[token] = id
        }
        let text = String(decoding: try BPEVocabulary.read(mergesPath), as: UTF8.self)
        var pairs: [(Substring, Substring)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || (number == 0 && line.hasPrefix("#version")) { continue }
            let parts = line.split(separator: " ")
            guard parts.count == 2 else {
                throw TokenizerError(.badVocabulary, "\(mergesPath) line \(number + 1): expected two symbols, found \(parts.count)")
            }
            pairs.append((parts[0], parts[1]))
        }
        try self.init(encoder: encoder, pairs: pairs, source: mergesPath)
    }

    private init(encoder: [String: Int], pairs: [(Substring, Substring)], source: String) throws(TokenizerError) {
        func id(_ token: String) throws(TokenizerError) -> Int32 {
            guard let id = encoder[token] else {
                throw TokenizerError(.badVocabulary, "\(source): token \(token.debugDescription) is not in the vocabulary")
            }
            return Int32(id)
        }
        var merges: [UInt64: Merge] = [:]
        merges.reserveCapacity(pairs.count)
        for (rank, pair) in pairs.enumerated() {
            let key = BPEVocabulary.pairKey(try id(String(pair.0)), try id(String(pair.1)))
            merges[key] = Merge(rank: Int32(rank), merged: try id(String(pair.0 + pair.1)))
        }
        var byteIDs: [Int32] = [], byteEndOfWordIDs: [Int32] = []
        for byte in 0..<256 {
            byteIDs.append(try id(String(ByteEncoder.characters[byte])))
            byteEndOfWordIDs.append(try id(String(ByteEncoder.characters[byte]) + "</w>"))
        }
        self.encoder = encoder
        self.merges = merges
        self.byteIDs = byteIDs
        self.byteEndOfWordIDs = byteEndOfWordIDs
        startOfText = Int(try id("<|startoftext|>"))
        endOfText = Int(try id("<|endoftext|>"))
    }

    private static func read(_ path: String) throws(TokenizerError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenizerError(.unreadableFile, "cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// Inflates a gzip file with zlib's `gzread` (several members are read one after another; like
    /// `gzread`, an uncompressed file is read as it is).
    private static func gunzip(_ path: String) throws(TokenizerError) -> String {
        guard FileManager.default.isReadableFile(atPath: path), let file = gzopen(path, "rb") else {
            throw TokenizerError(.unreadableFile, "cannot open \(path)")
        }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 {
                var code: Int32 = 0
                let reason = gzerror(file, &code).map { String(cString: $0) } ?? "error \(code)"
                throw TokenizerError(.badVocabulary, "\(path): not a readable gzip file (\(reason))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<Int(count)])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TokenizerError(.badVocabulary, "\(path): the vocabulary is not UTF-8 text")
        }
        return text
    }
}
