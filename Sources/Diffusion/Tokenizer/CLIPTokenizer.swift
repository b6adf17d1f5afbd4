import Synchronization

/// The CLIP BPE tokenizer: OpenAI CLIP `clip/simple_tokenizer.py` (open_clip `tokenizer.py`) and
/// transformers' `CLIPTokenizer` as ldm's `FrozenCLIPEmbedder` calls it for CustomNet
/// (`padding="max_length", max_length=77, truncation=True`, pad = `<|endoftext|>` 49407 as
/// openai/clip-vit-large-patch14's tokenizer config sets, bos 49406). Reads the vocabulary from
/// files the user points at; never downloads.
public final class CLIPTokenizer: Sendable {
    /// CLIP's text context: 77 tokens including `<|startoftext|>` and `<|endoftext|>`.
    public static let contextLength = 77

    /// How text is cleaned and split (default: OpenAI's `simple_tokenizer.py`).
    public let cleaning: CLIPTextCleaning
    private let vocabulary: BPEVocabulary
    private let cache = Mutex<[String: [Int]]>([:])
    private static let cacheLimit = 100_000

    /// `<|startoftext|>` (49406 in CLIP's vocabulary).
    public var startOfTextID: Int { vocabulary.startOfText }
    /// `<|endoftext|>` (49407), also the padding token.
    public var endOfTextID: Int { vocabulary.endOfText }
    /// The number of token ids (49408 for CLIP).
    public var vocabularySize: Int { vocabulary.encoder.count }

    /// Loads OpenAI's `bpe_simple_vocab_16e6.txt.gz` (shipped inside the `clip` and
    /// `open_clip_torch` packages).
    /// - Throws: `TokenizerError` when the file cannot be read or is not a CLIP vocabulary.
    public init(vocabularyFile path: String, cleaning: CLIPTextCleaning = .openAI) throws(TokenizerError) {
        vocabulary = try BPEVocabulary(gzipFile: path)
        self.cleaning = cleaning
    }

    /// Loads Hugging Face's `vocab.json` and `merges.txt` (e.g. openai/clip-vit-large-patch14's).
    /// - Throws: `TokenizerError` when a file cannot be read, is malformed, or a merge or special
    ///   token is missing from the vocabulary.
    public init(vocabJSON: String, merges: String, cleaning: CLIPTextCleaning = .openAI) throws(TokenizerError) {
        vocabulary = try BPEVocabulary(vocabJSON: vocabJSON, merges: merges)
        self.cleaning = cleaning
    }

    /// The token ids of `text`, without `<|startoftext|>` / `<|endoftext|>` around them
    /// (`SimpleTokenizer.encode`; HF `tokenizer(text, add_special_tokens=False)`).
    public func encode(_ text: String) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        switch cleaning {
        case .openAI:
            return encodePieces(PreTokenizer.split(cleaning.clean(scalars), ignoreCase: true), specialsAreTokens: true)
        case .huggingFace:
            var ids: [Int] = []
            var start = 0
            var i = 0
            while i < scalars.count {
                if let special = PreTokenizer.specials.firstIndex(where: { literal in
                    i + literal.count <= scalars.count && Array(scalars[i..<(i + literal.count)]) == literal
                }) {
                    ids += encodeHuggingFacePiece(Array(scalars[start..<i]))
                    ids.append(special == 0 ? vocabulary.startOfText : vocabulary.endOfText)
                    i += PreTokenizer.specials[special].count
                    start = i
                } else {
                    i += 1
                }
            }
            return ids + encodeHuggingFacePiece(Array(scalars[start...]))
        }
    }

    /// `[<|startoftext|>] + encode(text) + [<|endoftext|>]`, truncated so the end token stays
    /// last and padded with `<|endoftext|>` to `contextLength` ids, as HF's
    /// `tokenizer(text, padding="max_length", max_length=77, truncation=True)` returns them.
    public func tokenize(_ text: String, contextLength: Int = CLIPTokenizer.contextLength) -> [Int] {
        precondition(contextLength >= 2, "a CLIP context holds at least the start and end tokens")
        let body = encode(text).prefix(contextLength - 2)
        var ids = [vocabulary.startOfText] + body + [vocabulary.endOfText]
        ids += repeatElement(vocabulary.endOfText, count: contextLength - ids.count)
        return ids
    }

    private func encodeHuggingFacePiece(_ text: [Unicode.Scalar]) -> [Int] {
        guard !text.isEmpty else { return [] }
        return encodePieces(PreTokenizer.split(cleaning.clean(text), ignoreCase: false), specialsAreTokens: false)
    }

    private func encodePieces(_ pieces: [PreTokenizer.Piece], specialsAreTokens: Bool) -> [Int] {
        var ids: [Int] = []
        for piece in pieces {
            if specialsAreTokens, let special = piece.special {
                ids.append(special == 0 ? vocabulary.startOfText : vocabulary.endOfText)
            } else {
                ids += bpe(String(String.UnicodeScalarView(piece.text)))
            }
        }
        return ids
    }

    /// `SimpleTokenizer.bpe` on the piece's UTF-8 bytes: start from byte symbols (the last one with
    /// `</w>`), repeatedly merge every occurrence, left to right, of the adjacent pair with the
    /// lowest merge rank, until no pair has a rank; results are cached per piece.
    private func bpe(_ piece: String) -> [Int] {
        if let cached = cache.withLock({ $0[piece] }) { return cached }
        let bytes = Array(piece.utf8)
        var word = bytes.dropLast().map { vocabulary.byteIDs[Int($0)] }
        word.append(vocabulary.byteEndOfWordIDs[Int(bytes.last!)])
        while word.count > 1 {
            var best: BPEVocabulary.Merge? = nil
            var bestPair: UInt64 = 0
            for k in 0..<(word.count - 1) {
                let key = BPEVocabulary.pairKey(word[k], word[k + 1])
                if let merge = vocabulary.merges[key], merge.rank < (best?.rank ?? .max) {
                    best = merge
                    bestPair = key
                }
            }
            guard let best else { break }
            var merged: [Int32] = []
            merged.reserveCapacity(word.count)
            var k = 0
            while k < word.count {
                if k + 1 < word.count, BPEVocabulary.pairKey(word[k], word[k + 1]) == bestPair {
                    merged.append(best.merged)
                    k += 2
                } else {
                    merged.append(word[k])
                    k += 1
                }
            }
            word = merged
        }
        let ids = word.map(Int.init)
        cache.withLock { entries in
            if entries.count >= CLIPTokenizer.cacheLimit { entries.removeAll(keepingCapacity: true) }
            entries[piece] = ids
        }
        return ids
    }
}
