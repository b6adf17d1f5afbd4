import GRDB
import Manifest

/// What captioning needs to know about a subject: its target image, its object's name, the
/// background's words, and whether a human caption (Localized Narrative) already exists.
struct CaptionSubject {
    let image: String
    let objectName: String
    let sceneDescription: String?
    let hasNarrative: Bool

    static func load(_ db: Database, kind: String, id: String) throws -> CaptionSubject {
        switch kind {
        case "composition":
            guard let found = try CaptionSubjects.composition(db, id: id) else {
                throw CaptionError(.missingSubject, message: "composition \(id) is not in the manifest")
            }
            return CaptionSubject(image: found.target, objectName: found.assetName, sceneDescription: found.descriptor, hasNarrative: false)
        case "image":
            let narratives = try CaptionRecord.count(db, subjectKind: "image", subjectID: id, source: "narrative")
            guard let found = try CaptionSubjects.image(db, id: id) else {
                throw CaptionError(.missingSubject, message: "image \(id) has no extracted object")
            }
            return CaptionSubject(image: found.target, objectName: found.subject, sceneDescription: nil, hasNarrative: narratives > 0)
        default:
            throw CaptionError(.badItem, message: "unknown caption subject kind \(kind)")
        }
    }
}
