import Foundation
import Imaging
import Manifest
import Shards
import Support

/// `cn-shard --format customnet | zero123`: the corpus in the layouts other code bases read.
/// customnet: CustomNet's per-sample folders (input.jpg = target photo, mask.jpg, multi_view_00/01.jpg,
/// meta.json with sbj_txt, caption, bbox [x,y,w,h], view [[x,y,z],[-x,-y,z]]), one per extracted
/// Open Images object with synthesised views. zero123: views_release ({uid}/{i:03d}.png + .npy,
/// valid_paths.json) for every rendered asset.
public struct ExportJob {
    /// The workdir.
    public let workdir: URL
    /// The manifest.
    public let manifest: ManifestStore

    /// Creates the job.
    public init(workdir: URL, manifest: ManifestStore) {
        self.workdir = workdir
        self.manifest = manifest
    }

    /// Writes CustomNet sample folders under WORKDIR/export/customnet; returns how many.
    public func customNet() throws -> Int {
        let root = workdir.appendingPathComponent("export/customnet").path
        let rows = try manifest.read { db in try SampleSources.customNetObjects(db) }
        for row in rows {
            let views = try manifest.read { db in try NovelViewRecord.views(db, object: row.objectID) }
            let meta = CustomNetMeta(
                subject: row.subject, caption: row.caption ?? "",
                bbox: PixelBox(x: row.bboxX, y: row.bboxY, width: row.bboxW, height: row.bboxH),
                views: CustomNetMeta.mirroredViews(polar: Int(views[0].polarDegrees.rounded()),
                                                   azimuth: Int(views[0].azimuthDegrees.rounded())))
            try CustomNetExport.write(
                root: root, name: row.objectID, input: try ImageFile.loadRGBA(path(row.target)),
                mask: try ImageFile.loadGray(path(row.targetMask)),
                views: try views.map { try ImageFile.loadRGBA(path($0.image)) }, meta: meta)
        }
        return rows.count
    }

    /// Writes the zero123 views_release layout under WORKDIR/export/zero123; returns how many assets.
    public func zero123() throws -> Int {
        let root = workdir.appendingPathComponent("export/zero123").path
        let assets = try manifest.read { db in try ViewRecord.assets(db) }
        for asset in assets {
            let views = try manifest.read { db in try ViewRecord.views(db, asset: asset) }
            try Zero123Export.writeObject(root: root, uid: asset, views: try views.map { view in
                let png = try FileManager.default.contents(atPath: path(view.image)).map(Array.init) ?? []
                let pose = try NPY.decode(Array(FileManager.default.contents(atPath: path(view.pose)) ?? Data())).values.map(Float.init)
                return Zero123Export.View(png: png, pose: pose)
            })
        }
        try Zero123Export.writeValidPaths(root: root, uids: assets)
        return assets.count
    }

    private func path(_ relative: String) throws -> String { workdir.appendingPathComponent(relative).path }
}
