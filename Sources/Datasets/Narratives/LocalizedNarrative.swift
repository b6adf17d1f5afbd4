import Foundation

/// One Localized Narrative (google.github.io/localized-narratives): a human-written caption of
/// an Open Images photo. Reads both published variants: the full files (with timed_caption,
/// traces and voice_recording) and the caption-only `*_captions.jsonl`; only image_id and
/// caption are required. Traces are not kept (they are mouse paths, large and unused here).
public struct LocalizedNarrative: Sendable, Equatable, Decodable {
    /// One spoken phrase with its time span in seconds.
    public struct TimedUtterance: Sendable, Equatable, Decodable {
        /// The words.
        public var utterance: String
        /// Start, seconds.
        public var startTime: Double
        /// End, seconds.
        public var endTime: Double

        private enum CodingKeys: String, CodingKey {
            case utterance
            case startTime = "start_time"
            case endTime = "end_time"
        }
    }

    /// "open_images" (or another dataset of the release).
    public var datasetID: String?
    /// The Open Images ImageID.
    public var imageID: String
    /// The annotator (an integer in the release; kept as text).
    public var annotatorID: String?
    /// The caption.
    public var caption: String
    /// The caption split into timed utterances (full variant only).
    public var timedCaption: [TimedUtterance]?
    /// The voice recording's file name (full variant only).
    public var voiceRecording: String?

    private enum CodingKeys: String, CodingKey {
        case datasetID = "dataset_id"
        case imageID = "image_id"
        case annotatorID = "annotator_id"
        case caption
        case timedCaption = "timed_caption"
        case voiceRecording = "voice_recording"
    }

    /// Decodes one line; annotator_id may be a number or a string.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        datasetID = try c.decodeIfPresent(String.self, forKey: .datasetID)
        imageID = try c.decode(String.self, forKey: .imageID)
        if let number = try? c.decodeIfPresent(Int.self, forKey: .annotatorID) {
            annotatorID = String(number)
        } else {
            annotatorID = try c.decodeIfPresent(String.self, forKey: .annotatorID)
        }
        caption = try c.decode(String.self, forKey: .caption)
        timedCaption = try c.decodeIfPresent([TimedUtterance].self, forKey: .timedCaption)
        voiceRecording = try c.decodeIfPresent(String.self, forKey: .voiceRecording)
    }

    /// Creates a narrative.
    public init(datasetID: String? = "open_images", imageID: String, annotatorID: String? = nil, caption: String,
                timedCaption: [TimedUtterance]? = nil, voiceRecording: String? = nil) {
        self.datasetID = datasetID
        self.imageID = imageID
        self.annotatorID = annotatorID
        self.caption = caption
        self.timedCaption = timedCaption
        self.voiceRecording = voiceRecording
    }
}

/// Streams a Localized Narratives JSON Lines file (full or caption-only), one narrative a line;
/// lines that are not valid narratives are logged in `malformed` with their line number.
public final class LocalizedNarrativesReader {
    /// Lines skipped, with reasons (over-long lines included).
    public var malformed: MalformedRowLog {
        var log = invalid
        log.merge(lines.overlong)
        return log
    }
    private var invalid: MalformedRowLog
    private let lines: LineReader
    private let decoder = JSONDecoder()

    /// Opens a narratives file, read in chunks of `chunkSize` bytes.
    public init(path: String, malformedCap: Int = 100, chunkSize: Int = 4 << 20) throws {
        lines = try LineReader(path: path, chunkSize: chunkSize)
        invalid = MalformedRowLog(cap: malformedCap)
    }

    /// The next narrative, nil at the end of the file.
    public func next() throws -> LocalizedNarrative? {
        var result: LocalizedNarrative?
        while result == nil {
            var problem: String?
            let more = try lines.next { bytes in
                do {
                    result = try decoder.decode(LocalizedNarrative.self, from: Data(buffer: bytes))
                } catch let DecodingError.keyNotFound(key, _) {
                    problem = "missing field \(key.stringValue)"
                } catch let DecodingError.typeMismatch(_, context) {
                    problem = "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
                } catch {
                    problem = "not valid JSON"
                }
            }
            if !more { return nil }
            if let problem { invalid.record(MalformedRow(file: lines.path, line: lines.lineNumber, reason: problem)) }
        }
        return result
    }

    /// Calls `body` for every remaining narrative.
    public func forEach(_ body: (LocalizedNarrative) throws -> Void) throws {
        while let narrative = try next() { try body(narrative) }
    }
}
