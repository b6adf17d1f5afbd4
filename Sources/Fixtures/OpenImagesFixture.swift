import Foundation
import Geometry
import Imaging
import Raster
import Support
import ZIPFoundation

/// `cn-fixture openimages --out DIR`: a small dataset in the exact Open Images on-disk layout
/// (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html) whose objects are renders of the real assimp meshes composited into procedural
/// backgrounds, so every object's mesh, camera and true box are known:
///
/// - `train-annotations-object-segmentation.csv`, `oidv6-train-annotations-bbox.csv` (21 columns),
///   `class-descriptions-boxable.csv` (no header), `train-images-boxable-with-rotation.csv`
///   (some Rotation 90/180/270: the stored JPEG is the upright photo turned the other way),
///   `open_images_train_v6_localized_narratives-00000-of-00010.jsonl`;
/// - photos `train/{ImageID}.jpg` (long side <= 1024), masks (long side 1600, same aspect as the
///   stored photo, 8-bit 0/255) inside `train-masks-{0..f}.zip` by the ImageID's first hex digit;
/// - `fixture-truth.json` (`FixtureTruth`): mesh, world-to-camera, true box, planted defects.
///
/// Defects planted on purpose (one object each): a malformed segmentation CSV row, a missing
/// photo, a corrupt JPEG, a mask of the wrong aspect, an empty mask, an IsGroupOf box.
/// Deterministic: the same seed and count give the same bytes.
public enum OpenImagesFixture {
    /// The split written.
    public static let split = "train"
    /// Side of the square renders pasted into the photos.
    public static let renderSize = 256
    /// Supersampling of those renders.
    public static let supersampling = 2
    /// Long side of the masks (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html).
    public static let maskLongSide = 1600

    /// The defects planted, in the order of the extra images that carry them.
    public static let defectNames = ["malformed-row", "missing-photo", "corrupt-jpeg", "mask-aspect-mismatch", "empty-mask", "group-of"]

    /// The upright photo sizes cycled through (all <= 1024 on the long side).
    static let photoSizes: [(Int, Int)] = [(640, 480), (480, 640), (560, 560), (720, 480), (600, 800)]
    /// The rotations cycled through (mostly 0, some turned).
    static let rotations = [0, 90, 0, 180, 0, 270, 0]

    /// Builds the fixture under `out` with `count` clean objects plus one object per planted defect;
    /// `knownMeshes` false writes the same data with the truth marked so that no mesh is linked.
    @discardableResult
    public static func build(out: String, count: Int = 10, seed: UInt64 = 1, models: String = ObjaverseFixture.defaultModels,
                             knownMeshes: Bool = true) throws -> FixtureTruth {
        let meshes = try prepareMeshes(models: models)
        var random = SeededRandom(seed: seed)
        var files = Files()
        for index in 0..<(count + defectNames.count) {
            let defect = index >= count ? defectNames[index - count] : nil
            let imageID = String(SHA256.hex("cn-fixture/openimages/\(seed)/\(index)").prefix(16))
            let mesh = meshes[index % meshes.count]
            let (width, height) = photoSizes[index % photoSizes.count]
            let rotation = rotations[index % rotations.count]
            let shot = try findCamera(mesh, photoWidth: width, photoHeight: height, random: &random)
            let photo = try composePhoto(shot, width: width, height: height, rotation: rotation, random: &random)
            try files.add(imageID: imageID, mesh: mesh, shot: shot, photo: photo, defect: defect)
        }
        return try files.write(out: out, seed: seed, knownMeshes: knownMeshes)
    }

    /// A mesh of the fixture: its source entry, absolute path and prepared geometry.
    struct Mesh {
        let index: Int
        let source: ObjaverseFixture.Source
        let path: String
        let asset: PreparedAsset
        var label: String { OpenImagesFixture.label(index) }
    }

    /// The LabelName the fixture gives its `index`-th mesh.
    static func label(_ index: Int) -> String { "/m/0cnfx\(index)" }

    // MARK: - Meshes and cameras
    /// Phase 1: the real meshes, loaded and normalised once.
    static func prepareMeshes(models: String) throws -> [Mesh] {
        try ObjaverseFixture.sources.enumerated().map { index, source in
            let path = URL(fileURLWithPath: models).appendingPathComponent(source.path).path
            guard FileManager.default.fileExists(atPath: path) else {
                throw OpenImagesFixtureError(message: "missing \(path): install Debian's assimp-testmodels (scripts/setup does)")
            }
            return Mesh(index: index, source: source, path: path, asset: try AssetRenderer.prepare(assetAt: URL(fileURLWithPath: path)))
        }
    }

    /// A render of a mesh and the camera it was taken from.
    struct Shot {
        let pose: CameraPose
        let render: RGBAImage
        let alphaBox: PixelRect
    }

    /// Phase 2: a camera (zero123 spherical convention, looking at the origin) whose render is large
    /// enough, compact (one dominant component) and fits the photo with a margin.
    static func findCamera(_ mesh: Mesh, photoWidth width: Int, photoHeight height: Int, random: inout SeededRandom) throws -> Shot {
        var shot = Shot(pose: CameraPose.lookAt(location: Vec3(0, -2, 0)), render: RGBAImage(width: 1, height: 1),
                        alphaBox: PixelRect(x: 0, y: 0, width: 1, height: 1))
        for attempt in 0..<40 {
            let polar = random.uniform(65, 115) * Double.pi / 180
            let azimuth = random.uniform(-180, 180) * Double.pi / 180
            let radius = random.uniform(1.5, 2.0)
            let pose = CameraPose.lookAt(location: SphericalCoordinates(polar: polar, azimuth: azimuth, radius: radius).cartesian)
            let settings = RenderSettings(width: renderSize, height: renderSize, supersampling: supersampling)
            let render = AssetRenderer.render(mesh.asset, camera: pose, settings: settings).image
            shot = Shot(pose: pose, render: render, alphaBox: shot.alphaBox)
            let mask = render.alphaChannel().binarized(threshold: 127)
            guard let box = mask.boundingBox() else { continue }
            let share = ConnectedComponents(mask, threshold: 0, connectivity: .eight).largestShare
            shot = Shot(pose: pose, render: render, alphaBox: box)
            if min(box.width, box.height) >= 64 && share >= 0.98 && box.width <= width - 16 && box.height <= height - 16 { break }
            if attempt == 39 { throw OpenImagesFixtureError(message: "no usable camera for \(mesh.source.path)") }
        }
        return shot
    }

    /// A photo as stored on disk with its object mask, and the object's true box in the upright photo.
    struct Photo {
        let stored: RGBAImage
        let storedMask: GrayImage
        let storedBox: PixelRect
        let trueBox: PixelRect
        let width: Int, height: Int, rotation: Int
    }

    // MARK: - Photos, masks and boxes
    /// Phase 3: the upright photo (a procedural background with the render pasted 1:1 at a random
    /// place), then turned so that rotating it by Rotation (counter-clockwise) makes it upright.
    static func composePhoto(_ shot: Shot, width: Int, height: Int, rotation: Int, random: inout SeededRandom) throws -> Photo {
        var background = ProceduralBackground.make(size: max(width, height), random: &random).image
        background = background.cropped(to: PixelRect(x: 0, y: 0, width: width, height: height))
        let ox = 8 + random.integer(below: max(1, width - shot.alphaBox.width - 16))
        let oy = 8 + random.integer(below: max(1, height - shot.alphaBox.height - 16))
        let object = shot.render.cropped(to: shot.alphaBox)
        var upright = background
        upright.composite(object, atX: ox, y: oy)
        var uprightMask = GrayImage(width: width, height: height)
        uprightMask.paste(object.alphaChannel().binarized(threshold: 127), atX: ox, y: oy)
        guard let trueBox = uprightMask.boundingBox() else { throw OpenImagesFixtureError(message: "empty fixture mask") }
        let undo = (360 - rotation) % 360
        let stored = undo == 0 ? upright : upright.rotated(counterClockwiseDegrees: undo)
        let storedMask = undo == 0 ? uprightMask : uprightMask.rotated(counterClockwiseDegrees: undo)
        return Photo(stored: stored, storedMask: storedMask, storedBox: storedMask.boundingBox()!, trueBox: trueBox,
                     width: width, height: height, rotation: rotation)
    }

    /// Phase 4: what the fixture writes, accumulated object by object, then written sorted by ImageID
    /// as the published CSVs are.
    struct Files {
        typealias Line = (imageID: String, line: String)
        var objects: [FixtureTruth.Object] = []
        var photos: [String: [UInt8]] = [:]
        var masks: [String: (name: String, bytes: [UInt8])] = [:]  // by image id
        var segRows: [Line] = [], boxRows: [Line] = [], listRows: [Line] = [], narratives: [Line] = []
        var defects: [FixtureTruth.Defect] = []
        var malformedAfterImage: String?

        /// Adds one object: its mask (1600 px long side) and photo bytes with the defect planted, its CSV and narrative rows, its truth.
        mutating func add(imageID: String, mesh: Mesh, shot: Shot, photo: Photo, defect: String?) throws {
            let stored = photo.stored
            let scale = Double(maskLongSide) / Double(max(stored.width, stored.height))
            var maskWidth = Int((Double(stored.width) * scale).rounded()), maskHeight = Int((Double(stored.height) * scale).rounded())
            var bigMask = photo.storedMask.resized(width: maskWidth, height: maskHeight, filter: .nearest)
            if defect == "mask-aspect-mismatch" {
                maskWidth = maskLongSide
                maskHeight = maskLongSide / 2
                bigMask = photo.storedMask.resized(width: maskWidth, height: maskHeight, filter: .nearest)
            } else if defect == "empty-mask" {
                bigMask = GrayImage(width: maskWidth, height: maskHeight)
            }
            let labelName = mesh.label
            let boxID = String(SHA256.hex("box/\(imageID)").prefix(8))
            let maskName = "\(imageID)_\(labelName.replacingOccurrences(of: "/", with: ""))_\(boxID).png"
            let objectID = String(maskName.dropLast(4))
            masks[imageID] = (maskName, try PNG.encode(bigMask))

            var photoBytes = try JPEG.encode(stored, options: JPEGEncodeOptions())
            if defect == "corrupt-jpeg" {
                // Keep the SOI marker, destroy every header after it: libjpeg refuses the file.
                for i in 20..<min(photoBytes.count, 600) { photoBytes[i] = UInt8(truncatingIfNeeded: i &* 37) }
            }
            if defect != "missing-photo" { photos[imageID] = photoBytes }
            try addRows(imageID: imageID, mesh: mesh, photo: photo, photoBytes: photoBytes, maskName: maskName, boxID: boxID, defect: defect)

            objects.append(FixtureTruth.Object(
                objectID: objectID, imageID: imageID, label: labelName, className: mesh.source.name,
                mesh: mesh.path, worldToCamera: shot.pose.worldToCamera.rowMajor3x4, renderSize: renderSize,
                supersampling: supersampling, box: [photo.trueBox.x, photo.trueBox.y, photo.trueBox.width, photo.trueBox.height],
                photoWidth: photo.width, photoHeight: photo.height, rotation: photo.rotation, defect: defect == "malformed-row" ? nil : defect))
            switch defect {
            case "malformed-row": malformedAfterImage = imageID
            case "missing-photo", "corrupt-jpeg", "mask-aspect-mismatch":
                defects.append(.init(defect: defect!, stage: "extract", item: objectID, status: "failed", kind: defect!))
            case "empty-mask": defects.append(.init(defect: "empty-mask", stage: "extract", item: objectID, status: "skipped", kind: "empty-mask"))
            case "group-of": defects.append(.init(defect: "group-of", stage: "ingest-openimages", item: objectID, status: "skipped", kind: "group-of"))
            default: break
            }
        }

        /// The object's rows: segmentation, boxes (plus a box without a mask, as most boxes have
        /// none), image list and narrative; box coordinates normalised to the stored photo, 6 digits
        /// as the published masks store them.
        mutating func addRows(imageID: String, mesh: Mesh, photo: Photo, photoBytes: [UInt8], maskName: String, boxID: String,
                              defect: String?) throws {
            let (stored, storedBox, labelName) = (photo.stored, photo.storedBox, mesh.label)
            func f6(_ v: Double) -> String { String(format: "%.6f", v) }
            let xMin = f6(Double(storedBox.x) / Double(stored.width)), xMax = f6(Double(storedBox.maxX) / Double(stored.width))
            let yMin = f6(Double(storedBox.y) / Double(stored.height)), yMax = f6(Double(storedBox.maxY) / Double(stored.height))
            let cx = (Double(storedBox.x) + Double(storedBox.width) / 2) / Double(stored.width)
            let cy = (Double(storedBox.y) + Double(storedBox.height) / 2) / Double(stored.height)
            let clicks = "\(f6(cx)) \(f6(cy)) 1;\(f6(Double(storedBox.x) / Double(stored.width) + 0.001)) \(f6(cy)) 0"
            segRows.append((imageID, "\(maskName),\(imageID),\(labelName),\(boxID),\(xMin),\(xMax),\(yMin),\(yMax),0.87500,\(clicks)"))
            let groupOf = defect == "group-of" ? "1" : "0"
            boxRows.append((imageID, "\(imageID),xclick,\(labelName),1,\(xMin),\(xMax),\(yMin),\(yMax),0,0,\(groupOf),0,0,"
                + "\(xMin),\(xMax),\(xMin),\(xMax),\(yMin),\(yMin),\(yMax),\(yMax)"))
            boxRows.append((imageID, "\(imageID),activemil,/m/0cnfx9,1,0.010000,0.050000,0.010000,0.050000,0,1,0,0,0,-1,-1,-1,-1,-1,-1,-1,-1"))
            listRows.append((imageID, "\(imageID),train,https://example.org/cn-fixture/\(imageID).jpg,https://example.org/cn-fixture/\(imageID),"
                + "https://creativecommons.org/licenses/by/2.0/,https://example.org/author,cn-fixture,Render of \(mesh.source.name),"
                + "\(photoBytes.count),\(String(SHA256.hex(photoBytes).prefix(24))),https://example.org/cn-fixture/\(imageID)_t.jpg,\(photo.rotation).0"))
            let caption = "In this picture we can see a \(mesh.source.name.lowercased()) placed in front of a plain background."
            let narrative: [String: Any] = [
                "dataset_id": "open_images", "image_id": imageID, "annotator_id": 93, "caption": caption,
                "timed_caption": [["utterance": caption, "start_time": 0.0, "end_time": 4.5]],
                "traces": [[["x": 0.5, "y": 0.5, "t": 0.1]]], "voice_recording": "open_images_train/\(imageID)_93.ogg",
            ]
            let json = try JSONSerialization.data(withJSONObject: narrative, options: [.sortedKeys, .withoutEscapingSlashes])
            narratives.append((imageID, String(decoding: json, as: UTF8.self)))
        }

        /// Phase 5: writes the CSVs, narratives, photos, mask zips and fixture-truth.json under `out`.
        mutating func write(out: String, seed: UInt64, knownMeshes: Bool) throws -> FixtureTruth {
            let order: (Line, Line) -> Bool = { $0.imageID < $1.imageID }
            var seg = ["MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks"]
            for row in segRows.sorted(by: order) {
                seg.append(row.line)
                if row.imageID == malformedAfterImage {
                    // The malformed row: a truncated line (4 of 10 fields), right after a valid one.
                    seg.append("\(row.imageID)_m0cnfx0_ffffffff.png,\(row.imageID),/m/0cnfx0,ffffffff")
                    defects.insert(.init(defect: "malformed-row", stage: "ingest-openimages",
                                         item: "\(split)-annotations-object-segmentation.csv:\(seg.count)", status: "failed",
                                         kind: "malformed-row"), at: 0)
                }
            }
            let boxHeader = "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside,"
                + "XClick1X,XClick2X,XClick3X,XClick4X,XClick1Y,XClick2Y,XClick3Y,XClick4Y"
            let listHeader = "ImageID,Subset,OriginalURL,OriginalLandingURL,License,AuthorProfileURL,Author,Title,OriginalSize,OriginalMD5,Thumbnail300KURL,Rotation"
            func text(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }
            try AtomicFile.write(text(seg), to: "\(out)/\(split)-annotations-object-segmentation.csv")
            try AtomicFile.write(text([boxHeader] + boxRows.sorted(by: order).map(\.line)), to: "\(out)/oidv6-\(split)-annotations-bbox.csv")
            try AtomicFile.write(text([listHeader] + listRows.sorted(by: order).map(\.line)), to: "\(out)/\(split)-images-boxable-with-rotation.csv")
            var classLines = ObjaverseFixture.sources.indices.map { "\(label($0)),\(ObjaverseFixture.sources[$0].name)" }
            classLines.append("/m/0cnfx9,Unannotated thing")
            try AtomicFile.write(text(classLines), to: "\(out)/class-descriptions-boxable.csv")
            try AtomicFile.write(text(narratives.sorted(by: order).map(\.line)),
                                 to: "\(out)/open_images_train_v6_localized_narratives-00000-of-00010.jsonl")
            for (imageID, bytes) in photos.sorted(by: { $0.key < $1.key }) {
                try AtomicFile.write(bytes, to: "\(out)/\(split)/\(imageID).jpg")
            }
            try writeMaskZips(masks, out: out)
            var truth = FixtureTruth(split: split, seed: seed, objects: objects.sorted { $0.imageID < $1.imageID }, defects: defects)
            if !knownMeshes { truth.meshesKnown = false }
            try AtomicFile.write(try truth.encoded(), to: "\(out)/\(FixtureTruth.fileName)")
            return truth
        }
    }

    // MARK: - Files in the Open Images layout
    /// Writes the 16 `train-masks-{c}.zip` (every one, some possibly empty), PNGs flat at the root,
    /// deflated, with a fixed modification date so the bytes are reproducible.
    static func writeMaskZips(_ masks: [String: (name: String, bytes: [UInt8])], out: String) throws {
        let fixedDate = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01
        for shard in Array("0123456789abcdef") {
            let path = "\(out)/\(split)-masks-\(shard).zip"
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
            for (imageID, mask) in masks.sorted(by: { $0.key < $1.key }) where imageID.first == shard {
                let data = Data(mask.bytes)
                try archive.addEntry(with: mask.name, type: .file, uncompressedSize: Int64(data.count), modificationDate: fixedDate,
                                     permissions: 0o644, compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
        }
    }
}

// MARK: - Errors
/// A fixture that cannot be built, with what to do.
public struct OpenImagesFixtureError: DescribedError {
    /// What is wrong.
    public let message: String
    public var kind: String { "fixture" }
}
