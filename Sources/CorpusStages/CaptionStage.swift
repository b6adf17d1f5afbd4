import Foundation
import Manifest
import Pipeline
import Support

/// `cn-caption`: gives every composition (Objaverse branch) and every photo with extracted
/// objects (Open Images branch) its background caption. Sources, in order of preference per
/// subject: Localized Narratives already ingested with the photo (source 'narrative'), an
/// external captioner command (source 'external'), or templates built from the object's name and
/// the background's description (source 'template').
public struct CaptionStage: Stage {
    public let name = "caption"
    /// The settings.
    public let config: CaptionConfig
    private let captioner: ExternalCaptioner?

    /// Creates the stage.
    public init(config: CaptionConfig) {
        self.config = config
        captioner = config.command.map { ExternalCaptioner(command: $0, batchSize: config.batchSize, timeLimit: config.timeLimit) }
    }

    public func listItems(_ context: StageContext) throws -> [String] {
        let keys = try context.manifest.read { db in
            try CompositionRecord.allIDs(db).map { "composition:" + $0 }
                + CaptionSubjects.imagesWithExtractions(db).map { "image:" + $0 }
        }
        captioner?.prepare(order: keys.sorted())
        return keys
    }

    /// Captions follow their source: the asset of a composition, the photo of an image.
    public func partitionKey(_ item: String) -> String? {
        let subject = item.split(separator: ":", maxSplits: 1).last.map(String.init) ?? item
        return item.hasPrefix("composition:") ? String(subject.split(separator: ":").first ?? Substring(subject)) : subject
    }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        let parts = item.key.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw CaptionError(.badItem, message: "unknown caption subject \(item.key)") }
        let (kind, id) = (parts[0], parts[1])
        let subject = try item.stage.manifest.read { db in try CaptionSubject.load(db, kind: kind, id: id) }
        if subject.hasNarrative { return .done([]) }
        let text: String
        let source: String
        if let captioner {
            let manifest = item.stage.manifest, workdir = item.stage.workdir
            text = try captioner.caption(key: item.key, image: item.url(subject.image).path) { other in
                let parts = other.split(separator: ":", maxSplits: 1).map(String.init)
                let found = try manifest.read { db in try CaptionSubject.load(db, kind: parts[0], id: parts[1]) }
                return workdir.appendingPathComponent(found.image).path
            }
            source = "external"
        } else {
            text = CaptionTemplates.caption(object: subject.objectName, scene: subject.sceneDescription, random: &item.random)
            source = "template"
        }
        return .done([CaptionRecord(subjectKind: kind, subjectID: id, source: source, index: 0, text: text)])
    }
}

/// The `caption` step's settings.
public struct CaptionConfig: StageConfiguration, Equatable {
    /// An external captioner: argv of a command reading {"id","image"} JSON lines on stdin and
    /// writing {"id","caption"} lines on stdout (e.g. a BLIP-2 script on a GPU machine).
    public var command: [String]?
    /// Subjects per external call.
    public var batchSize = 16
    /// Seconds allowed per external call.
    public var timeLimit = 600.0

    /// The defaults.
    public init() {}

    /// The accepted keys.
    public static var acceptedKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// Every setting within its range (a batch of 0 or a NaN time limit would never finish).
    public func validate(_ check: ConfigCheck) throws {
        try check.integer(CodingKeys.batchSize.rawValue, batchSize, in: 1...100_000)
        try check.positive(CodingKeys.timeLimit.rawValue, timeLimit, atMost: 604_800)
        if let command { try check.require(!command.isEmpty, CodingKeys.command.rawValue, "must name a program (an empty list)") }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case command, batchSize = "batch_size", timeLimit = "time_limit" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.decodeIfPresent([String].self, forKey: .command)
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? 16
        timeLimit = try c.decodeIfPresent(Double.self, forKey: .timeLimit) ?? 600
    }
}

/// A subject that cannot be captioned, with the reason.
public struct CaptionError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings stored in manifests
    /// (pinned by a test: renaming one is a change of the manifest's vocabulary).
    public enum Reason: String, Sendable, CaseIterable {
        case badItem = "bad-item"
        case captionerEmpty = "captioner-empty"
        case captionerFailed = "captioner-failed"
        case captionerNoOutput = "captioner-no-output"
        case captionerTimeout = "captioner-timeout"
        case missingSubject = "missing-subject"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// What is wrong.
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Creates an error of a class with its message.
    public init(_ reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }
}
