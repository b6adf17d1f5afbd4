import Assets
import Datasets
import Fixtures
import Foundation
import Geometry
import Imaging
import OpenImagesStages
import Raster
import Support
import Testing
import TestSupport

/// The Open Images branch end to end on `cn-fixture openimages`, through the real executables
/// and `cn-run`: boxes against the fixture's truth, planted defects, render-backend views against
/// an independent render, shards read back by Python's webdataset.
@Suite(.serialized) struct OpenImagesBranchTests {
    /// What the shared run left.
    struct Shared: Sendable {
        let source: URL, workdir: URL, truth: FixtureTruth, output: String
    }

    /// One fixture and one full pipeline run, shared by the checks (built once per process).
    static let run: Result<Shared, ShellFailure> = {
        do { return .success(try build()) } catch { return .failure(ShellFailure(text: "\(error)")) }
    }()

    static func build() throws -> Shared {
        let source = TestPaths.scratchFolder("oi-src"), workdir = TestPaths.scratchFolder("oi-work")
        let fixture = try ChildProcess.run("cn-fixture", ["openimages", "--out", source.path, "--count", "10", "--seed", "3"])
        guard fixture.status == 0 else { throw ShellFailure(text: "cn-fixture failed: \(ChildProcess.report(fixture))") }
        guard let truth = try FixtureTruth.load(root: source.path) else { throw ShellFailure(text: "no fixture-truth.json") }
        let pipeline = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("Pipelines/openimages.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "/data/openimages", with: source.path)
        let pipelinePath = workdir.appendingPathComponent("openimages.yaml").path
        try pipeline.write(toFile: pipelinePath, atomically: true, encoding: .utf8)
        let run = try ChildProcess.run("cn-run", [pipelinePath, "--workdir", workdir.path, "--jobs", "2", "--progress", "never"])
        guard run.status == 0 else { throw ShellFailure(text: "cn-run failed: \(ChildProcess.report(run))") }
        return Shared(source: source, workdir: workdir, truth: truth, output: run.stdout + run.stderr)
    }

    func shared() throws -> Shared { try Self.run.get() }

    func sqlite(_ workdir: URL, _ sql: String) throws -> [[String]] {
        try WorkdirSnapshot.sqlite(workdir.appendingPathComponent("manifest.sqlite").path, sql)
            .map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Every clean object is extracted, its box within 1 px of the truth (rotated photos included),
    /// the photo's upright size recorded, the class name as subject, the target a 256 PNG.
    @Test func cleanObjectsAreExtractedWithTheTrueBox() throws {
        let s = try shared(); let workdir = s.workdir, truth = s.truth
        let clean = truth.objects.filter { $0.defect == nil }
        #expect(clean.count == 11)  // 10 + the valid neighbour of the malformed row
        #expect(Set(clean.map(\.rotation)).isSuperset(of: [0, 90, 180, 270]), "the fixture must include rotated photos")
        for object in clean {
            let rows = try sqlite(workdir, """
                SELECT e.bbox_x, e.bbox_y, e.bbox_w, e.bbox_h, e.subject, i.width, i.height, e.target, e.object_png
                FROM extraction e JOIN object o ON o.id = e.object_id JOIN image i ON i.id = o.image_id WHERE e.object_id = '\(object.objectID)'
                """)
            guard let row = rows.first else {
                Issue.record("clean object \(object.objectID) (rotation \(object.rotation)) was not extracted")
                continue
            }
            #expect(Int(row[5]) == object.photoWidth && Int(row[6]) == object.photoHeight, "upright size of \(object.objectID)")
            #expect(row[4] == object.className)
            let trueBox = PixelRect(x: object.box[0], y: object.box[1], width: object.box[2], height: object.box[3])
            let expected = ExtractionPlan(imageWidth: object.photoWidth, imageHeight: object.photoHeight, object: trueBox).targetBBox
            let got = row[0...3].map { Int($0)! }
            let want = [expected.x, expected.y, expected.width, expected.height]
            #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1 }, "box of \(object.objectID) (rotation \(object.rotation)): \(got) vs truth \(want)")
            let cutout = try PNG.decode(contentsOf: workdir.appendingPathComponent(row[8]).path)
            #expect(abs(cutout.width - trueBox.width) <= 1 && abs(cutout.height - trueBox.height) <= 1,
                    "cut-out of \(object.objectID) is \(cutout.width)x\(cutout.height), truth \(trueBox.width)x\(trueBox.height)")
            let target = try PNG.readHeader([UInt8](Data(contentsOf: workdir.appendingPathComponent(row[7]))))
            #expect(target.width == 256 && target.height == 256)
        }
    }

    /// Every planted defect ends as the failed or skipped work row the truth names, with a
    /// one-line reason; `cn-manifest failures` counts exactly the planted defects.
    @Test func plantedDefectsAreReportedByKind() throws {
        let s = try shared(); let workdir = s.workdir, truth = s.truth
        #expect(Set(truth.defects.map(\.defect)) == Set(OpenImagesFixture.defectNames))
        for defect in truth.defects {
            let rows = try sqlite(workdir, "SELECT status, error_kind, error FROM work WHERE stage = '\(defect.stage)' AND item = '\(defect.item)'")
            #expect(rows.count == 1, "no work row for \(defect.defect) (\(defect.stage) \(defect.item))")
            guard let row = rows.first else { continue }
            #expect(row[0] == defect.status && row[1] == defect.kind, "\(defect.defect): got \(row[0]) \(row[1]): \(row[2])")
            #expect(!row[2].isEmpty)
        }
        let failures = try ChildProcess.run("cn-manifest", ["failures", "--workdir", workdir.path, "--format", "csv"])
        #expect(failures.status == 0, "\(ChildProcess.report(failures))")
        let lines = failures.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var counted: [String: Int] = [:]
        for line in lines where line.count >= 4 { counted["\(line[0])/\(line[2])", default: 0] += Int(line[3]) ?? 0 }
        var planted: [String: Int] = [:]
        for defect in truth.defects { planted["\(defect.stage)/\(defect.kind)", default: 0] += 1 }
        #expect(counted == planted, "cn-manifest failures: \(failures.stdout)")
        let rejected = try sqlite(workdir, "SELECT id, reject_kind FROM object WHERE accepted = 0")
        #expect(rejected.count == 1 && rejected.first?[1] == "group-of")
    }

    /// The render backend: every object's two views are the mesh seen from the photo's camera moved
    /// by the sampled (x, y, 0) / (-x, -y, 0) in zero123's spherical coordinates, checked against an
    /// independent render whose camera this test computes itself; the samples carry the inverse pose.
    @Test func synthesizedViewsMatchAnIndependentRender() throws {
        let s = try shared(); let workdir = s.workdir, truth = s.truth
        var assets: [String: PreparedAsset] = [:]
        let clean = truth.objects.filter { $0.defect == nil }
        for object in clean {
            let rows = try sqlite(workdir, "SELECT idx, image, polar_deg, azimuth_deg, radius, backend FROM novel_view WHERE object_id = '\(object.objectID)' ORDER BY idx")
            #expect(rows.count == 2, "\(object.objectID) has \(rows.count) novel views")
            guard rows.count == 2 else { continue }
            let x = Double(rows[0][2])!, y = Double(rows[0][3])!
            #expect(x == x.rounded() && (0..<60).contains(x) && y == y.rounded() && (0..<60).contains(y))
            #expect(Double(rows[1][2])! == -x && Double(rows[1][3])! == -y)
            #expect(Double(rows[0][4])! == 0 && Double(rows[1][4])! == 0 && rows[0][5] == "render")
            if assets[object.mesh] == nil { assets[object.mesh] = try AssetRenderer.prepare(assetAt: URL(fileURLWithPath: object.mesh)) }
            func meanDifference(_ a: RGBAImage, _ b: RGBAImage) -> Double {
                var total = 0
                for i in 0..<min(a.pixels.count, b.pixels.count) where i % 4 != 3 { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
                return Double(total) / Double(256 * 256 * 3)
            }
            var views: [RGBAImage] = []
            for (index, sign) in [(0, 1.0), (1, -1.0)] {
                let expected = Self.independentView(assets[object.mesh]!, photo: object.worldToCamera, dPolar: sign * x, dAzimuth: sign * y)
                let actual = try PNG.decodeRGBA(contentsOf: workdir.appendingPathComponent(rows[index][1]).path)
                #expect(actual.width == 256 && actual.height == 256)
                let mean = meanDifference(actual, expected)
                #expect(mean < 2.0, "view \(index) of \(object.objectID) differs from the independent render by \(mean) levels on average")
                views.append(expected)
            }
            // The check discriminates: the two offsets give clearly different pictures unless the offset is tiny.
            if x + y >= 20 { #expect(meanDifference(views[0], views[1]) > 4, "views 0 and 1 of \(object.objectID) look alike") }
        }
        // The samples: reference = view, T = inverse of the view's offset (CustomNet's loader).
        let samples = try sqlite(workdir, "SELECT s.polar, s.az_sin, s.az_cos, s.radius, n.polar_deg, n.azimuth_deg FROM sample s JOIN novel_view n ON s.reference = n.image")
        #expect(samples.count == 2 * clean.count)
        for s in samples {
            let x = Double(s[4])! * Double.pi / 180, y = Double(s[5])! * Double.pi / 180
            #expect(abs(Double(s[0])! + x) < 1e-9 && abs(Double(s[1])! - sin(-y)) < 1e-9 && abs(Double(s[2])! - cos(-y)) < 1e-9)
        }
    }

    /// The whole pipeline through cn-run gives shards that the Python interop check accepts.
    @Test func pipelineShardsPassTheInteropCheck() throws {
        let s = try shared(); let workdir = s.workdir, truth = s.truth
        let check = try Python.run(script: "scripts/interop/check_corpus.py", [workdir.path])
        #expect(check.status == 0, "\(check.output)")
        let clean = truth.objects.filter { $0.defect == nil }.count
        #expect(check.output.contains("ok: \(2 * clean) samples read by webdataset"), "\(check.output)")
        let captions = try sqlite(workdir, "SELECT COUNT(*) FROM sample WHERE caption LIKE 'In this picture%'")
        #expect(captions.first?.first == "\(2 * clean)", "narratives must caption the Open Images samples")
    }

    /// Re-running the ingest (its item reset) writes the same rows, never duplicates; the meshes
    /// and poses of the fixture's truth are recorded for the render backend.
    @Test func reingestDoesNotDuplicateRows() throws {
        let s = try shared(); let source = s.source, workdir = s.workdir, truth = s.truth
        let tables = ["object", "image", "class", "caption", "object_mesh", "work WHERE stage = 'ingest-openimages' AND status != 'done'"]
        func counts() throws -> [String] { try tables.map { try sqlite(workdir, "SELECT COUNT(*) FROM \($0)").first?.first ?? "" } }
        let before = try counts()
        #expect(before[4] == "\(truth.objects.count)")
        try Self.sqliteWrite(workdir, "UPDATE work SET status = 'pending' WHERE stage = 'ingest-openimages' AND item = 'openimages:train'")
        let again = try ChildProcess.run("cn-ingest", ["openimages", "--root", source.path, "--workdir", workdir.path, "--progress", "never"])
        #expect(again.status == 0 && again.stdout.contains("1 done"), "\(ChildProcess.report(again))")
        #expect(try counts() == before)
    }

    /// Filters come from the pipeline's `ingest-openimages` config; relaxing one and re-ingesting
    /// accepts the object and removes its stale 'skipped' row.
    @Test func filtersComeFromThePipelineConfig() throws {
        let s = try shared(); let source = s.source, truth = s.truth
        let workdir = TestPaths.scratchFolder("oi-filters")
        let groupOf = try #require(truth.defects.first { $0.defect == "group-of" })
        #expect(try ChildProcess.run("cn-ingest", ["openimages", "--root", source.path, "--workdir", workdir.path, "--progress", "never"]).status == 0)
        #expect(try sqlite(workdir, "SELECT accepted, reject_kind FROM object WHERE id = '\(groupOf.item)'") == [["0", "group-of"]])
        let config = workdir.appendingPathComponent("relaxed.yaml")
        try """
            name: relaxed
            steps:
              - stage: ingest-openimages
                run: [cn-ingest, openimages, --root, \(source.path)]
                config:
                  excludeGroupOf: false
            """.write(to: config, atomically: true, encoding: .utf8)
        try Self.sqliteWrite(workdir, "UPDATE work SET status = 'pending' WHERE stage = 'ingest-openimages' AND item = 'openimages:train'")
        let again = try ChildProcess.run("cn-ingest", ["openimages", "--root", source.path, "--workdir", workdir.path, "--config", config.path, "--progress", "never"])
        #expect(again.status == 0, "\(ChildProcess.report(again))")
        #expect(try sqlite(workdir, "SELECT accepted FROM object WHERE id = '\(groupOf.item)'") == [["1"]])
        #expect(try sqlite(workdir, "SELECT COUNT(*) FROM work WHERE item = '\(groupOf.item)'") == [["0"]])
    }

    /// The other real layouts: masks unzipped (`train-masks/`, no zips) and photos in the
    /// tarballs' `train_{c}` folders give the same extractions as zips + `train/`.
    @Test func unzippedMasksAndTarballFoldersGiveTheSameExtractions() throws {
        let s = try shared(); let source = s.source, reference = s.workdir
        let variant = TestPaths.scratchFolder("oi-variant"), workdir = TestPaths.scratchFolder("oi-variant-work")
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: source.path) {
            let from = source.appendingPathComponent(name)
            if name.hasSuffix(".zip") {
                let unzip = Process()
                unzip.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
                unzip.arguments = ["-q", "-o", from.path, "-d", variant.appendingPathComponent("train-masks").path]
                try unzip.run()
                unzip.waitUntilExit()
                #expect(unzip.terminationStatus == 0 || unzip.terminationStatus == 1 || unzip.terminationStatus == 11)  // 11: empty zip
            } else if name == "train" {
                for photo in try manager.contentsOfDirectory(atPath: from.path) {
                    let folder = variant.appendingPathComponent("train_\(photo.prefix(1))")
                    try manager.createDirectory(at: folder, withIntermediateDirectories: true)
                    try manager.copyItem(at: from.appendingPathComponent(photo), to: folder.appendingPathComponent(photo))
                }
            } else {
                try manager.copyItem(at: from, to: variant.appendingPathComponent(name))
            }
        }
        #expect(!manager.fileExists(atPath: variant.appendingPathComponent("train").path))
        #expect(try ChildProcess.run("cn-ingest", ["openimages", "--root", variant.path, "--workdir", workdir.path, "--progress", "never"]).status == 0)
        #expect(try ChildProcess.run("cn-extract", ["--workdir", workdir.path, "--progress", "never"]).status == 0)
        let query = "SELECT object_id, bbox_x, bbox_y, bbox_w, bbox_h, subject FROM extraction ORDER BY object_id"
        let expected = try sqlite(reference, query), actual = try sqlite(workdir, query)
        #expect(expected.count == 11 && actual == expected)
        let failures = "SELECT stage, item, status, error_kind FROM work WHERE status IN ('failed', 'skipped') ORDER BY stage, item"
        let expectedFailures = try sqlite(reference, failures), actualFailures = try sqlite(workdir, failures)
        #expect(actualFailures == expectedFailures)
    }

    /// Same seed, same bytes; another seed, other bytes.
    @Test func fixtureIsDeterministic() throws {
        let a = TestPaths.scratchFolder("oi-fa"), b = TestPaths.scratchFolder("oi-fb"), c = TestPaths.scratchFolder("oi-fc")
        try OpenImagesFixture.build(out: a.path, count: 2, seed: 5)
        try OpenImagesFixture.build(out: b.path, count: 2, seed: 5)
        try OpenImagesFixture.build(out: c.path, count: 2, seed: 6)
        let snapA = try WorkdirSnapshot(a, tables: [:]).files, snapB = try WorkdirSnapshot(b, tables: [:]).files
        #expect(snapA.count > 20 && snapA == snapB)
        #expect(snapA != (try WorkdirSnapshot(c, tables: [:]).files))
    }

    /// Pose sampling and the render backend's limits: integer offsets in [0, 60), the pair is
    /// symmetric, zero123's get_T of the offset camera is the offset, no mesh -> 'no-backend-view',
    /// the diffusion backend refuses to run instead of faking views.
    @Test func poseSamplingAndBackendContract() throws {
        var random = SeededRandom(seed: 11)
        let config = SynthesizeConfig()
        for _ in 0..<200 {
            let views = SynthesizeStage.sampleViews(config, random: &random)
            let x = views[0].polarDegrees, y = views[0].azimuthDegrees
            #expect((0..<60).contains(x) && (0..<60).contains(y) && x == x.rounded() && y == y.rounded())
            #expect(views[1].polarDegrees == -x && views[1].azimuthDegrees == -y && views[0].radius == 0 && views[1].radius == 0)
        }
        let photo = CameraPose.lookAt(location: SphericalCoordinates(polar: 1.4, azimuth: 0.3, radius: 1.8).cartesian).worldToCamera
        let view = try RenderSynthesisBackend.camera(from: photo, delta: ViewDelta(polarDegrees: 30, azimuthDegrees: 45, radius: 0))
        let t = RelativePose(zero123Target: view.worldToCamera, condition: photo).components
        #expect(abs(t[0] - 30 * Double.pi / 180) < 1e-9 && abs(t[1] - sin(Double.pi / 4)) < 1e-9 && abs(t[2] - cos(Double.pi / 4)) < 1e-9 && abs(t[3]) < 1e-9)
        let backend = RenderSynthesisBackend(config: config)
        do {
            _ = try backend.view(of: SynthesisSubject(objectID: "x", reference: "/nonexistent", mesh: nil),
                                 delta: ViewDelta(polarDegrees: 1, azimuthDegrees: 1, radius: 0))
            Issue.record("the render backend produced a view without a mesh")
        } catch {
            #expect(errorKind(error) == "no-backend-view")
        }
        var diffusion = SynthesizeConfig()
        diffusion.backend = .diffusion
        #expect(throws: (any Error).self) { _ = try SynthesisBackends.make(diffusion) }
    }

    // MARK: - Independent expectations

    /// The expected view, computed here without the stage's code: the photo camera's location from
    /// [R|t] (-Rᵀt), its zero123 spherical coordinates, the offset added, a camera looking at the
    /// origin with +Z up built by hand, rendered at 256 (2x2 supersampling) and framed long side 200
    /// centred on white 256.
    static func independentView(_ asset: PreparedAsset, photo m: [Double], dPolar: Double, dAzimuth: Double) -> RGBAImage {
        let r = [[m[0], m[1], m[2]], [m[4], m[5], m[6]], [m[8], m[9], m[10]]], t = [m[3], m[7], m[11]]
        let p = (0..<3).map { j in -(0..<3).reduce(0.0) { $0 + r[$1][j] * t[$1] } }
        let radius = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).squareRoot()
        let polar = atan2((p[0] * p[0] + p[1] * p[1]).squareRoot(), p[2]) + dPolar * Double.pi / 180
        let azimuth = atan2(p[1], p[0]) + dAzimuth * Double.pi / 180
        let c = [radius * sin(polar) * cos(azimuth), radius * sin(polar) * sin(azimuth), radius * cos(polar)]
        func normalize(_ v: [Double]) -> [Double] { let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).squareRoot(); return v.map { $0 / n } }
        func cross(_ a: [Double], _ b: [Double]) -> [Double] { [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]] }
        let forward = normalize(c.map { -$0 })
        let right = normalize(cross(forward, [0, 0, 1]))
        let back = forward.map { -$0 }
        let up = normalize(cross(back, right))
        let rows = [right, up, back]
        let tr = rows.map { row in -(row[0] * c[0] + row[1] * c[1] + row[2] * c[2]) }
        let w2c = WorldToCamera(rowMajor3x4: [rows[0][0], rows[0][1], rows[0][2], tr[0], rows[1][0], rows[1][1], rows[1][2], tr[1],
                                              rows[2][0], rows[2][1], rows[2][2], tr[2]])!
        let image = AssetRenderer.render(asset, worldToCamera: w2c, settings: RenderSettings(width: 256, height: 256, supersampling: 2)).image
        var out = RGBAImage(width: 256, height: 256, fill: .white)
        guard let box = image.alphaChannel().boundingBox() else { return out }
        let scale = 200.0 / Double(max(box.width, box.height))
        let w = max(1, Int((Double(box.width) * scale).rounded())), h = max(1, Int((Double(box.height) * scale).rounded()))
        out.composite(image.cropped(to: box).resized(width: w, height: h), atX: (256 - w) / 2, y: (256 - h) / 2)
        return out
    }

    /// Runs a writing SQL statement with the sqlite3 shell.
    static func sqliteWrite(_ workdir: URL, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [workdir.appendingPathComponent("manifest.sqlite").path, sql]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ShellFailure(text: "sqlite3 failed on \(sql)") }
    }
}

struct ShellFailure: Error, CustomStringConvertible {
    let text: String
    var description: String { text }
}
