import Foundation
import Testing
import TestSupport
@testable import Diffusion

/// The ids of scripts/interop/clip_tokenizer_reference.py: open_clip's SimpleTokenizer (OpenAI's
/// simple_tokenizer.py behaviour) and transformers' CLIPTokenizer, on captions it generates
/// deterministically, with the vocabulary taken from the installed open_clip_torch wheel.
private enum TokenizerReference {
    struct Run {
        let folder: URL
        let gzip: String
        let captions: [String]
        let openAI: [[Int]]
        let huggingFace: [[Int]]
    }

    static let run: Result<Run, any Error> = Result {
        let folder = TestPaths.scratchFolder("clip-tokenizer")
        _ = try ReferenceScript.run("clip_tokenizer_reference.py", importing: ["transformers", "ftfy", "regex", "torch"], [folder.path])
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as! [String: Any]
        return Run(folder: folder, gzip: object["gz"] as! String, captions: object["captions"] as! [String],
                   openAI: object["openai"] as! [[Int]], huggingFace: object["huggingface"] as! [[Int]])
    }
}

private func mismatches(_ tokenizer: CLIPTokenizer, _ captions: [String], _ expected: [[Int]]) -> [String] {
    zip(captions, expected).compactMap { caption, ids in
        let mine = tokenizer.tokenize(caption)
        return mine == ids ? nil : "\(caption.debugDescription): \(mine.prefix(12)) vs \(ids.prefix(12))"
    }
}

@Suite("CLIP tokenizer against open_clip and transformers") struct CLIPTokenizerTests {
    @Test func openAICleaningMatchesOpenCLIPOnEveryCaption() throws {
        let run = try TokenizerReference.run.get()
        #expect(run.captions.count >= 1000)
        let fromGzip = try CLIPTokenizer(vocabularyFile: run.gzip)
        let fromJSON = try CLIPTokenizer(vocabJSON: run.folder.appendingPathComponent("vocab.json").path,
                                         merges: run.folder.appendingPathComponent("merges.txt").path)
        #expect(fromGzip.vocabularySize == 49408)
        let wrong = mismatches(fromGzip, run.captions, run.openAI)
        #expect(wrong.isEmpty, "\(wrong.count) of \(run.captions.count) differ, first: \(wrong.prefix(5))")
        #expect(mismatches(fromJSON, run.captions, run.openAI).isEmpty, "vocab.json + merges.txt give the gzip vocabulary's ids")
        let disagreements = zip(run.openAI, run.huggingFace).filter { $0 != $1 }.count
        print("CLIP tokenizer: \(run.captions.count) captions, open_clip ids reproduced; the references disagree on \(disagreements)")
    }

    @Test func huggingFaceCleaningMatchesTransformersOnEveryCaption() throws {
        let run = try TokenizerReference.run.get()
        let tokenizer = try CLIPTokenizer(vocabJSON: run.folder.appendingPathComponent("vocab.json").path,
                                          merges: run.folder.appendingPathComponent("merges.txt").path, cleaning: .huggingFace)
        let wrong = mismatches(tokenizer, run.captions, run.huggingFace)
        #expect(wrong.isEmpty, "\(wrong.count) of \(run.captions.count) differ, first: \(wrong.prefix(5))")
    }

    @Test func paddingTruncationAndSpecialLiterals() throws {
        let run = try TokenizerReference.run.get()
        let tokenizer = try CLIPTokenizer(vocabularyFile: run.gzip)
        #expect(tokenizer.tokenize("") == [49406] + Array(repeating: 49407, count: 76))
        let long = tokenizer.tokenize(String(repeating: "a photo of a chair ", count: 40))
        #expect(long.count == 77 && long.first == 49406 && long.last == 49407 && long[75] != 49407)
        #expect(tokenizer.tokenize("cat", contextLength: 5).count == 5)
        // simple_tokenizer.py: a literal special token is that token (its pattern lists them first).
        #expect(tokenizer.encode("a <|endoftext|> b") == tokenizer.encode("a") + [49407] + tokenizer.encode("b"))
        #expect(tokenizer.encode("<|startoftext|>") == [49406])
        let huggingFace = try CLIPTokenizer(vocabularyFile: run.gzip, cleaning: .huggingFace)
        #expect(huggingFace.encode("a<|endoftext|>b") == huggingFace.encode("a") + [49407] + huggingFace.encode("b"))
    }

    @Test func unusableVocabulariesAreReadableErrors() throws {
        let folder = TestPaths.scratchFolder("clip-vocabulary")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try CLIPTokenizer(vocabularyFile: folder.appendingPathComponent("missing.txt.gz").path)
            Issue.record("a missing vocabulary was accepted")
        } catch {
            #expect(error.reason == .unreadableFile)
            #expect(error.message.contains("missing.txt.gz"))
        }
        let vocab = folder.appendingPathComponent("vocab.json"), merges = folder.appendingPathComponent("merges.txt")
        try Data(#"{"a": 0, "b": 1}"#.utf8).write(to: vocab)
        try Data("#version: 0.2\na b c\n".utf8).write(to: merges)
        do {
            _ = try CLIPTokenizer(vocabJSON: vocab.path, merges: merges.path)
            Issue.record("a malformed merges file was accepted")
        } catch {
            #expect(error.reason == .badVocabulary)
            #expect(error.message.contains("line 2"))
        }
        try Data("#version: 0.2\na b\n".utf8).write(to: merges)
        do {
            _ = try CLIPTokenizer(vocabJSON: vocab.path, merges: merges.path)
            Issue.record("a merge outside the vocabulary was accepted")
        } catch {
            #expect(error.reason == .badVocabulary)
            #expect(error.message.contains("\"ab\""))
        }
        #expect(TokenizerError.Reason.allCases.map(\.rawValue) == ["unreadable-vocabulary", "bad-vocabulary"])
        #expect(CLIPTextCleaning.allCases.map(\.rawValue) == ["openai", "huggingface"])
    }
}
