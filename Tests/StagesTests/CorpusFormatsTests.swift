import Foundation
import Testing
import TestSupport

/// Captioning through an external command, and the CustomNet / zero123 export layouts.
@Suite(.serialized) struct CorpusFormatsTests {
    /// A small demo workdir (fixture, ingest, render 4 views at 64 px, compose) shared by the tests;
    /// `backgrounds` names a folder of photos for cn-compose (nil: procedural scenes).
    func composedWorkdir(_ label: String, backgrounds: String? = nil) throws -> URL {
        let workdir = TestPaths.scratchFolder(label)
        let backgroundLine = backgrounds.map { ", backgrounds: \(String(reflecting: $0))" } ?? ""
        let pipeline = workdir.appendingPathComponent("small.yaml")
        try """
            name: small
            seed: 3
            steps:
              - stage: fixture-objaverse
                common: false
                run: [cn-fixture, objaverse, --out, "{workdir}/src"]
              - stage: ingest-objaverse
                run: [cn-ingest, objaverse, --root, "{workdir}/src"]
              - stage: render
                run: [cn-render]
                config: {views: 4, resolution: 64}
              - stage: compose
                run: [cn-compose]
                config: {pairs_per_asset: 3\(backgroundLine)}
            """.write(to: pipeline, atomically: true, encoding: .utf8)
        let run = try ChildProcess.run("cn-run", [pipeline.path, "--workdir", workdir.path, "--progress", "never"])
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        return workdir
    }

    /// The external captioner gets JSON lines {"id","image"} in batches and answers
    /// {"id","caption"}; a subject it leaves out fails with 'captioner-no-output'.
    @Test func externalCaptionerCaptionsInBatchesAndFailuresAreRecorded() throws {
        let workdir = try composedWorkdir("captioner")
        let script = workdir.appendingPathComponent("captioner.py")
        let log = workdir.appendingPathComponent("batches.log")
        try """
            import json, os, sys
            lines = [json.loads(l) for l in sys.stdin if l.strip()]
            with open(\(String(reflecting: log.path)), "a") as f:
                f.write("%d\\n" % len(lines))
            for i, req in enumerate(lines):
                assert os.path.exists(req["image"]), req["image"]
                if req["id"].endswith(":00-01") or req["id"].endswith(":01-00"):
                    continue
                print(json.dumps({"id": req["id"], "caption": "an object in a scene, batch item %d" % i}))
            """.write(to: script, atomically: true, encoding: .utf8)
        guard let python = Python.interpreter else {
            Issue.record("no Python interpreter: run scripts/setup")
            return
        }
        let pipeline = workdir.appendingPathComponent("caption.yaml")
        try """
            steps:
              - stage: caption
                run: [cn-caption]
                config: {command: [\(String(reflecting: python)), \(String(reflecting: script.path))], batch_size: 4, time_limit: 60}
            """.write(to: pipeline, atomically: true, encoding: .utf8)
        let run = try ChildProcess.run("cn-caption", ["--workdir", workdir.path, "--config", pipeline.path, "--jobs", "1", "--progress", "never"])
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        let database = workdir.appendingPathComponent("manifest.sqlite").path
        let compositions = Int(try WorkdirSnapshot.sqlite(database, "SELECT COUNT(*) FROM composition").first ?? "0") ?? 0
        let external = Int(try WorkdirSnapshot.sqlite(database, "SELECT COUNT(*) FROM caption WHERE source = 'external'").first ?? "0") ?? 0
        let failed = try WorkdirSnapshot.sqlite(database, "SELECT item, error_kind FROM work WHERE stage = 'caption' AND status = 'failed'")
        #expect(compositions > 0)
        #expect(external + failed.count == compositions)
        let dropped = try WorkdirSnapshot.sqlite(database, "SELECT item FROM work WHERE stage = 'caption' AND (item LIKE '%:00-01' OR item LIKE '%:01-00') ORDER BY item")
        #expect(!dropped.isEmpty, "the fixture must have subjects the captioner leaves out")
        #expect(failed.sorted() == dropped.map { $0 + "|captioner-no-output" }, "exactly the left-out subjects fail: \(failed)")
        let batches = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
        #expect(batches.reduce(0, +) == compositions, "every subject is sent exactly once: \(batches)")
        #expect(batches.allSatisfy { $0 <= 4 } && batches.count >= compositions / 4)
    }

    /// cn-compose with a folder of real photos (the JPEG textures of assimp-testmodels) uses them as
    /// backgrounds: every composition names one of them, and its target is a full opaque 256 image.
    @Test func photoBackgroundsComeFromTheConfiguredFolder() throws {
        let photos = TestPaths.scratchFolder("backgrounds")
        let textures = try FileManager.default.contentsOfDirectory(atPath: TestPaths.assimpModels.appendingPathComponent("OBJ").path)
            .filter { $0.hasSuffix(".jpg") }.sorted().prefix(3)
        #expect(textures.count == 3)
        for name in textures {
            try FileManager.default.copyItem(at: TestPaths.assimpModels.appendingPathComponent("OBJ/\(name)"), to: photos.appendingPathComponent(name))
        }
        let workdir = try composedWorkdir("photoBackgrounds", backgrounds: photos.path)
        let database = workdir.appendingPathComponent("manifest.sqlite").path
        let backgrounds = try WorkdirSnapshot.sqlite(database, "SELECT DISTINCT background FROM composition")
        #expect(!backgrounds.isEmpty && backgrounds.allSatisfy { $0.hasPrefix(photos.path + "/") }, "\(backgrounds)")
        let targets = try WorkdirSnapshot.sqlite(database, "SELECT target FROM composition")
        for target in targets {
            let bytes = try Data(contentsOf: workdir.appendingPathComponent(target))
            #expect(bytes.count > 1000 && bytes[25] == 2, "\(target) should be an RGB (opaque) PNG")
        }
    }

    /// `--format zero123` writes views_release ({uid}/{i:03d}.png + .npy, valid_paths.json) that
    /// numpy and Pillow read back: every .npy a float32 (3, 4) [R|t] with orthonormal R whose
    /// camera centre -R^T t has the manifest's polar, azimuth and radius; every .png a 64 px RGBA.
    @Test func zero123ExportHoldsEveryView() throws {
        let workdir = try composedWorkdir("zero123")
        let export = try ChildProcess.run("cn-shard", ["--workdir", workdir.path, "--format", "zero123"])
        #expect(export.status == 0, "\(ChildProcess.report(export))")
        #expect(export.stdout.contains("wrote 5 assets"))
        let root = workdir.appendingPathComponent("export/zero123")
        let valid = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("valid_paths.json"))) as? [String]
        #expect(valid?.count == 5)
        for uid in valid ?? [] {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(uid).path).sorted()
            #expect(names == ["000.npy", "000.png", "001.npy", "001.png", "002.npy", "002.png", "003.npy", "003.png"])
        }
        let views = try WorkdirSnapshot.sqlite(workdir.appendingPathComponent("manifest.sqlite").path,
                                               "SELECT asset_id, idx, polar, azimuth, radius FROM view ORDER BY asset_id, idx")
        #expect(views.count == 20)
        let rows = root.appendingPathComponent("views.txt")
        try views.joined(separator: "\n").write(to: rows, atomically: true, encoding: .utf8)
        let python = try Python.interpreter(importing: ["numpy", "PIL"])
        let script = """
            import sys, numpy as np
            from PIL import Image
            root, checked = sys.argv[1], 0
            for line in open(sys.argv[2]):
                uid, idx, polar, azimuth, radius = line.strip().split("|")
                rt = np.load("%s/%s/%03d.npy" % (root, uid, int(idx)))
                assert rt.dtype == np.float32 and rt.shape == (3, 4), (rt.dtype, rt.shape)
                r, t = rt[:, :3].astype(np.float64), rt[:, 3].astype(np.float64)
                assert np.abs(r @ r.T - np.eye(3)).max() < 1e-5, r
                c = -r.T @ t
                assert abs(np.linalg.norm(c) - float(radius)) < 1e-4, (c, radius)
                assert abs(np.arccos(c[2] / np.linalg.norm(c)) - float(polar)) < 1e-4, (c, polar)
                assert abs(np.angle(np.exp(1j * (np.arctan2(c[1], c[0]) - float(azimuth))))) < 1e-4, (c, azimuth)
                image = Image.open("%s/%s/%03d.png" % (root, uid, int(idx)))
                assert image.mode == "RGBA" and image.size == (64, 64), (image.mode, image.size)
                checked += 1
            print("ok: %d views" % checked)
            """
        let check = try ProcessRunner.run(python, ["-c", script, root.path, rows.path])
        let output = String(decoding: check.stdout, as: UTF8.self)
        #expect(check.status == 0 && output.contains("ok: 20 views"), "\(output)\(ChildProcess.tail(check.stderr))")
    }
}

/// A byte cap per shard: shards stay under it, and webdataset still reads the whole corpus.
@Suite struct ShardByteCapTests {
    @Test func shardsRespectTheByteCap() throws {
        let workdir = TestPaths.scratchFolder("bytecap")
        let demo = TestPaths.repositoryRoot.appendingPathComponent("Pipelines/demo.yaml").path
        #expect(try ChildProcess.run("cn-run", [demo, "--to", "caption", "--workdir", workdir.path, "--progress", "never"]).status == 0)
        let pipeline = workdir.appendingPathComponent("cap.yaml")
        try "steps:\n  - stage: shard\n    run: [cn-shard]\n    config: {train: 1, val: 0, test: 0, max_bytes: 400000}\n"
            .write(to: pipeline, atomically: true, encoding: .utf8)
        let shard = try ChildProcess.run("cn-shard", ["--workdir", workdir.path, "--config", pipeline.path])
        #expect(shard.status == 0, "\(ChildProcess.report(shard))")
        let folder = workdir.appendingPathComponent("shards")
        let tars = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tar") }
        #expect(tars.count >= 2)
        for tar in tars {
            let size = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(tar).path)[.size] as? Int ?? 0
            #expect(size <= 400_000, "\(tar) has \(size) bytes")
        }
        let check = try Python.run(script: "scripts/interop/check_corpus.py", [workdir.path])
        #expect(check.status == 0, "\(check.output)")
    }
}
