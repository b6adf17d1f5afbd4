import Foundation
import Testing
import Geometry
import Assets
import Raster
import TestSupport

/// A Blender reference render (scripts/reference/render_masks.py) stored as a test fixture.
struct BlenderReference {
    struct View { let rt: WorldToCamera; let location: Vec3; let mask: [Bool] }
    let asset: String
    let resolution: Int
    let boundsBefore: Box3
    let scale: Double
    let offset: Vec3
    let views: [View]

    static let fixtures = TestPaths.repositoryRoot.appendingPathComponent("Tests/RasterTests/Fixtures")

    init(name: String) throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("blender-\(name).json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        asset = json["asset"] as! String
        resolution = json["resolution"] as! Int
        func vec(_ a: Any?) -> Vec3 { let v = (a as! [NSNumber]).map(\.doubleValue); return Vec3(v[0], v[1], v[2]) }
        let bb = json["bbox_before"] as! [Any]
        boundsBefore = Box3(min: vec(bb[0]), max: vec(bb[1]))
        scale = (json["scale"] as! NSNumber).doubleValue
        offset = vec(json["offset"])
        let n = resolution * resolution
        views = (json["views"] as! [[String: Any]]).map { v in
            let rows = (v["rt"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
            let rt = WorldToCamera(rowMajor3x4: rows.flatMap { $0 })!
            var mask = [Bool](); mask.reserveCapacity(n)
            var value = false
            for run in (v["runs"] as! [NSNumber]).map(\.intValue) {
                mask += [Bool](repeating: value, count: run)
                value.toggle()
            }
            return View(rt: rt, location: vec(v["location"]), mask: mask)
        }
    }

    static func iou(_ a: [Bool], _ b: [Bool]) -> Double {
        var inter = 0, union = 0
        for i in 0..<min(a.count, b.count) {
            if a[i] && b[i] { inter += 1 }
            if a[i] || b[i] { union += 1 }
        }
        return union == 0 ? 1 : Double(inter) / Double(union)
    }

    /// `mask` (side x side, row-major) moved by (dx, dy) pixels, empty where it enters.
    static func shifted(_ mask: [Bool], side: Int, dx: Int, dy: Int) -> [Bool] {
        var out = [Bool](repeating: false, count: mask.count)
        for y in 0..<side { for x in 0..<side {
            let sx = x - dx, sy = y - dy
            if sx >= 0, sx < side, sy >= 0, sy < side { out[y * side + x] = mask[sy * side + sx] }
        } }
        return out
    }

    /// The best IoU a one-pixel shift of `mask` reaches against itself: a renderer that is off by
    /// one pixel scores about this, so agreement must score more (issue 15: thresholds per asset
    /// above a one-pixel shift instead of one loose bar).
    static func oneShiftIoU(_ mask: [Bool], side: Int) -> Double {
        [(1, 0), (-1, 0), (0, 1), (0, -1)].map { iou(shifted(mask, side: side, dx: $0.0, dy: $0.1), mask) }.max() ?? 1
    }
}

@Suite struct BlenderAgreementTests {
    static let assets: [(String, String)] = [
        ("box", "glTF2/BoxTextured-glTF-Binary/BoxTextured.glb"),
        ("engine", "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb"),
        ("spider", "OBJ/spider.obj"),
    ]

    /// Point-sampled masks: Blender's workbench with anti-aliasing OFF (one sample at each pixel
    /// centre) against this renderer without supersampling. Cameras, normalisation and
    /// projection must agree to the pixel.
    @Test(arguments: assets)
    func pointSampledMasksMatchBlender(name: String, path: String) throws {
        try compare(name: name, reference: "\(name)", path: path, supersampling: 1, minimum: 0.97, minimumMean: 0.985)
    }

    /// Anti-aliased masks: Blender's default 8-sample workbench AA against 4x4 supersampling.
    /// Blender's AA filter thins sub-pixel features (the spider's legs) by about half a pixel at
    /// the 0.5 threshold, so the spider gets a lower bar than the solid meshes.
    @Test(arguments: assets)
    func antiAliasedMasksMatchBlender(name: String, path: String) throws {
        let thin = name == "spider"
        try compare(name: name + "-aa", reference: "\(name)-aa8", path: path, supersampling: 4,
                    minimum: thin ? 0.96 : 0.97, minimumMean: thin ? 0.97 : 0.985)
    }

    /// Anti-aliased masks against zero123's own renderer configuration: Cycles with
    /// filter_width 0.01 (a box pixel filter, as zero123's blender_script sets), 16 samples,
    /// against this renderer's 4x4 supersampling (also a box filter).
    @Test(arguments: assets)
    func antiAliasedMasksMatchZero123sCycles(name: String, path: String) throws {
        try compare(name: name + "-cycles", reference: "\(name)-cycles", path: path, supersampling: 4,
                    minimum: 0.97, minimumMean: 0.985)
    }

    func compare(name: String, reference referenceName: String, path: String, supersampling: Int,
                 minimum: Double, minimumMean: Double) throws {
        let reference = try BlenderReference(name: referenceName)
        let url = TestPaths.assimpModels.appendingPathComponent(path)
        let prepared = try AssetRenderer.prepare(assetAt: url)
        // Normalisation matches Blender's (bound_box corners under matrix_world).
        let before = prepared.normalization.boundsBefore
        let extent = max(reference.boundsBefore.size.x, reference.boundsBefore.size.y, reference.boundsBefore.size.z)
        #expect((before.min - reference.boundsBefore.min).length < 1e-4 * extent, "bounds min \(before.min) vs Blender \(reference.boundsBefore.min)")
        #expect((before.max - reference.boundsBefore.max).length < 1e-4 * extent, "bounds max \(before.max) vs Blender \(reference.boundsBefore.max)")
        #expect(abs(prepared.normalization.scale - reference.scale) < 1e-5 * reference.scale)
        #expect((prepared.normalization.offset - reference.offset).length < 1e-4)
        var ious: [Double] = [], bars: [Double] = []
        for (i, view) in reference.views.enumerated() {
            // Our look-at reproduces Blender's TRACK_TO camera and zero123's [R|t].
            let pose = CameraPose.lookAt(location: view.location)
            let ours = pose.worldToCamera.rowMajor3x4, theirs = view.rt.rowMajor3x4
            #expect(zip(ours, theirs).allSatisfy { abs($0 - $1) < 1e-5 }, "view \(i): RT \(ours) vs Blender \(theirs)")
            let settings = RenderSettings(width: reference.resolution, height: reference.resolution, supersampling: supersampling)
            let output = AssetRenderer.render(prepared, worldToCamera: view.rt, settings: settings)
            let iou = BlenderReference.iou(output.image.alphaMask(threshold: 127), view.mask)
            ious.append(iou)
            if let dump = ProcessInfo.processInfo.environment["CN_DEBUG_MASKS"] {
                let ours = output.image.alphaMask(threshold: 127).map { UInt8($0 ? 1 : 0) }
                let theirs = view.mask.map { UInt8($0 ? 2 : 0) }
                try Data(zip(ours, theirs).map { $0 + $1 }).write(to: URL(fileURLWithPath: "\(dump)/\(name)-\(i).raw"))
            }
            let shiftBar = BlenderReference.oneShiftIoU(view.mask, side: reference.resolution)
            bars.append(shiftBar)
            #expect(iou >= minimum && iou > shiftBar, "\(name) view \(i): IoU \(iou), a one-pixel shift of Blender's mask scores \(shiftBar)")
        }
        let mean = ious.reduce(0, +) / Double(ious.count)
        print("BLENDER-IOU \(name): " + ious.map { String(format: "%.4f", $0) }.joined(separator: " ") + String(format: " mean %.4f", mean))
        print("BLENDER-SHIFT-IOU \(name): " + bars.map { String(format: "%.4f", $0) }.joined(separator: " "))
        #expect(mean >= minimumMean, "\(name): mean IoU \(mean)")
        // IoU falls about linearly with the shift, so a half-pixel shift scores about halfway
        // between a one-pixel shift and 1: on average the masks must agree better than that.
        let halfPixel = (1 + bars.reduce(0, +) / Double(bars.count)) / 2
        #expect(mean > halfPixel, "\(name): mean IoU \(mean), a half-pixel shift of Blender's masks scores about \(halfPixel)")
    }
}
