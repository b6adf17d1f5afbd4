import Foundation
import GRDB
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
        let rows = try manifest.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.object_id, e.target, e.target_mask, e.subject, e.bbox_x, e.bbox_y, e.bbox_w, e.bbox_h, o.image_id,
                       (SELECT text FROM caption WHERE subject_kind = 'image' AND subject_id = o.image_id
                        ORDER BY CASE source WHEN 'narrative' THEN 0 WHEN 'external' THEN 1 ELSE 2 END, idx LIMIT 1) AS caption
                FROM extraction e JOIN object o ON o.id = e.object_id
                WHERE (SELECT COUNT(*) FROM novel_view n WHERE n.object_id = e.object_id) = 2
                ORDER BY e.object_id
                """)
        }
        for row in rows {
            let object: String = row["object_id"]
            let views = try manifest.read { db in
                try Row.fetchAll(db, sql: "SELECT image, polar_deg, azimuth_deg FROM novel_view WHERE object_id = ? ORDER BY idx", arguments: [object])
            }
            let meta = CustomNetMeta(
                subject: row["subject"], caption: row["caption"] ?? "",
                bbox: PixelBox(x: row["bbox_x"], y: row["bbox_y"], width: row["bbox_w"], height: row["bbox_h"]),
                views: CustomNetMeta.mirroredViews(polar: Int((views[0]["polar_deg"] as Double).rounded()),
                                                   azimuth: Int((views[0]["azimuth_deg"] as Double).rounded())))
            try CustomNetExport.write(
                root: root, name: object, input: try ImageFile.loadRGBA(path(row["target"])),
                mask: try ImageFile.loadGray(path(row["target_mask"])),
                views: try views.map { try ImageFile.loadRGBA(path($0["image"])) }, meta: meta)
        }
        return rows.count
    }

    /// Writes the zero123 views_release layout under WORKDIR/export/zero123; returns how many assets.
    public func zero123() throws -> Int {
        let root = workdir.appendingPathComponent("export/zero123").path
        let assets = try manifest.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT asset_id FROM view ORDER BY asset_id") }
        for asset in assets {
            let views = try manifest.read { db in
                try Row.fetchAll(db, sql: "SELECT image, pose FROM view WHERE asset_id = ? ORDER BY idx", arguments: [asset])
            }
            try Zero123Export.writeObject(root: root, uid: asset, views: try views.map { view in
                let png = try FileManager.default.contents(atPath: path(view["image"])).map(Array.init) ?? []
                let pose = try NPY.decode(Array(FileManager.default.contents(atPath: path(view["pose"])) ?? Data())).values.map(Float.init)
                return Zero123Export.View(png: png, pose: pose)
            })
        }
        try Zero123Export.writeValidPaths(root: root, uids: assets)
        return assets.count
    }

    private func path(_ relative: String) throws -> String { workdir.appendingPathComponent(relative).path }
}
