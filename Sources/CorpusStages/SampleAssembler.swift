import Foundation
import GRDB
import Manifest
import Shards
import Geometry

/// Builds the `sample` table (docs/CONTRACTS.md) from what the stages made: one sample per
/// composition (Objaverse branch; T from the two views' cameras, zero123's get_T on the
/// recorded spherical coordinates) and one per synthesised view of an extracted object (Open
/// Images branch; the INVERSE of the view's pose is the condition, as CustomNet's loader does).
/// Samples are ordered by (kind, source) and numbered from 1, so ids depend only on the
/// manifest's content; the split comes from a stable hash of the source (asset or photo).
public enum SampleAssembler {
    /// A sample before it is written: the row plus what shard writing needs.
    public struct Draft: Sendable {
        public var kind: String
        public var source: String
        public var sourceID: String
        public var reference: String
        public var target: String
        public var pose: RelativePose
        public var bbox: PixelBox
        public var caption: String?
        public var view: [Double]?
        public var referencePose: String?
        public var targetPose: String?
    }

    /// Every sample the manifest supports, ordered by (kind, source).
    public static func drafts(_ db: Database) throws -> [Draft] {
        let objaverse = try SampleSources.compositions(db).map(draft(composition:))
        let openImages = try SampleSources.novelViews(db).map(draft(novelView:))
        return (objaverse + openImages).sorted { ($0.kind, $0.source) < ($1.kind, $1.source) }
    }

    /// An Objaverse sample: T from the two views' cameras (zero123's get_T on the spherical coordinates).
    static func draft(composition c: SampleSources.Composition) -> Draft {
        let pose = RelativePose(
            from: SphericalCoordinates(polar: c.referencePolar, azimuth: c.referenceAzimuth, radius: c.referenceRadius),
            to: SphericalCoordinates(polar: c.targetPolar, azimuth: c.targetAzimuth, radius: c.targetRadius))
        return Draft(
            kind: "objaverse", source: "asset/\(c.assetID)/" + String(format: "%02d-%02d", c.referenceView, c.targetView),
            sourceID: c.assetID, reference: c.reference, target: c.target, pose: pose,
            bbox: PixelBox(x: c.bboxX, y: c.bboxY, width: c.bboxW, height: c.bboxH),
            caption: c.caption, view: nil, referencePose: c.referencePose, targetPose: c.targetPose)
    }

    /// An Open Images sample: the synthesised view is the reference, the photo the target, and T
    /// the inverse of the view's offset.
    static func draft(novelView n: SampleSources.NovelView) -> Draft {
        let (x, y, z) = (n.polarDegrees, n.azimuthDegrees, n.radius)
        return Draft(
            kind: "openimages", source: "image/\(n.imageID)/object/\(n.objectID)/view/\(n.index)", sourceID: n.imageID,
            reference: n.image, target: n.target,
            pose: RelativePose.inverseOfOffset(polarDegrees: x, azimuthDegrees: y, radius: z),
            bbox: PixelBox(x: n.bboxX, y: n.bboxY, width: n.bboxW, height: n.bboxH),
            caption: n.caption, view: [x, y, z], referencePose: nil, targetPose: nil)
    }

    /// Replaces the `sample` table with `drafts` numbered from 1 in order, with their splits.
    public static func record(_ db: Database, drafts: [Draft], splits: SplitAssigner) throws {
        try SampleRecord.replaceAll(db, with: drafts.enumerated().map { offset, draft in
            SampleRecord(
                id: Int64(offset + 1), kind: draft.kind, split: splits.split(ofSource: draft.sourceID),
                reference: draft.reference, target: draft.target,
                polar: draft.pose.polar, azimuthSin: draft.pose.azimuthSin, azimuthCos: draft.pose.azimuthCos, radius: draft.pose.radius,
                bboxX: draft.bbox.x, bboxY: draft.bbox.y, bboxW: draft.bbox.width, bboxH: draft.bbox.height,
                caption: draft.caption, source: draft.source)
        })
    }
}
