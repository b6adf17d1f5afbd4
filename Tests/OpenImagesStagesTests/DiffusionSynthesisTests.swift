import Fixtures
import Foundation
import Imaging
import Testing
import TestSupport

/// The model backends of cn-synthesize (issue 10) on a 64 px random-weight zero123 checkpoint in
/// the ldm layout, written by scripts/interop/zero123_pipeline_reference.py into a scratch folder:
/// the no-meshes fixture through the whole pipeline, determinism, batch sizes, the external
/// client, kill and resume, `auto`, checkpoint failures and config typos.
@Suite(.serialized) struct DiffusionSynthesisTests {
    struct Shared: Sendable {
        /// model.ckpt, model.yaml, the fixture, an ingested + extracted workdir, its truth.
        let model: URL, source: URL, extracted: URL, truth: FixtureTruth
        var checkpoint: String { model.appendingPathComponent("model.ckpt").path }
        var yaml: String { model.appendingPathComponent("model.yaml").path }
    }

    static let steps = 4

    static let shared: Result<Shared, ShellFailure> = {
        do { return .success(try build()) } catch { return .failure(ShellFailure(text: "\(error)")) }
    }()

    static func build() throws -> Shared {
        let model = TestPaths.scratchFolder("dm-model"), source = TestPaths.scratchFolder("dm-src")
        let extracted = TestPaths.scratchFolder("dm-extracted")
        let made = try Python.run(script: "scripts/interop/zero123_pipeline_reference.py", [model.path, "--size", "64", "--steps", "2"])
        guard made.status == 0 else { throw ShellFailure(text: "zero123_pipeline_reference.py failed: \(made.output)") }
        let fixture = try ChildProcess.run("cn-fixture", ["openimages", "--out", source.path, "--count", "3", "--seed", "4", "--no-meshes"])
        guard fixture.status == 0 else { throw ShellFailure(text: "cn-fixture failed: \(ChildProcess.report(fixture))") }
        guard let truth = try FixtureTruth.load(root: source.path) else { throw ShellFailure(text: "no fixture-truth.json") }
        for (tool, args) in [("cn-ingest", ["openimages", "--root", source.path]), ("cn-extract", [])] {
            let run = try ChildProcess.run(tool, args + ["--workdir", extracted.path, "--progress", "never"])
            guard run.status == 0 else { throw ShellFailure(text: "\(tool) failed: \(run.stderr)") }
        }
        return Shared(model: model, source: source, extracted: extracted, truth: truth)
    }

    func shared() throws -> Shared { try Self.shared.get() }

    /// A pipeline file with the synthesize step configured by `keys` (YAML lines).
    static func pipeline(_ folder: URL, _ keys: [String], seed: Int = 1) throws -> String {
        let path = folder.appendingPathComponent("synth.yaml").path
        let text = "name: synth\nseed: \(seed)\nsteps:\n  - stage: synthesize\n    run: [cn-synthesize]\n    config:\n"
            + keys.map { "      " + $0 + "\n" }.joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func diffusionKeys(_ s: Shared, batch: Int = 4) -> [String] {
        ["backend: diffusion", "checkpoint: \(s.checkpoint)", "model_config: \(s.yaml)", "steps: \(Self.steps)", "batch: \(batch)"]
    }

    /// A copy of the extracted workdir.
    func copy(_ s: Shared, _ label: String) throws -> URL {
        let folder = TestPaths.scratchFolder(label)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.copyItem(at: s.extracted, to: folder)
        return folder
    }

    func synthesize(_ workdir: URL, _ keys: [String], seed: Int = 1, jobs: Int = 2) throws -> (status: Int32, stdout: String, stderr: String) {
        let config = try Self.pipeline(workdir, keys, seed: seed)
        return try ChildProcess.run("cn-synthesize", ["--workdir", workdir.path, "--config", config, "--jobs", "\(jobs)", "--progress", "never"])
    }

    func sqlite(_ workdir: URL, _ sql: String) throws -> [[String]] {
        try WorkdirSnapshot.sqlite(workdir.appendingPathComponent("manifest.sqlite").path, sql)
            .map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    func views(_ workdir: URL) throws -> [String: Data] {
        try WorkdirSnapshot(workdir, tables: [:]).files.filter { $0.key.hasPrefix("synthesize/") }
    }

    /// Largest per-channel difference between the views of two workdirs (same files required).
    func maxDifference(_ a: URL, _ b: URL) throws -> Int {
        let names = try views(a).keys.sorted(), other = try views(b).keys.sorted()
        #expect(names == other && !names.isEmpty)
        var worst = 0
        for name in names {
            let x = try PNG.decodeRGBA(contentsOf: a.appendingPathComponent(name).path)
            let y = try PNG.decodeRGBA(contentsOf: b.appendingPathComponent(name).path)
            for i in 0..<x.pixels.count { worst = max(worst, abs(Int(x.pixels[i]) - Int(y.pixels[i]))) }
        }
        return worst
    }

    /// The no-meshes fixture through the whole pipeline (ingest to shards) with backend
    /// diffusion: every clean object gets its two views with provenance, becomes two samples with
    /// the inverse pose as T, the shards pass the interop check, `cn-manifest show` prints it all.
    @Test func noMeshesFixtureBecomesShardedSamples() throws {
        let s = try shared()
        let clean = s.truth.objects.filter { $0.defect == nil }
        #expect(s.truth.meshesKnown == false && clean.count == 4)
        #expect(try sqlite(s.extracted, "SELECT COUNT(*) FROM object_mesh") == [["0"]])
        let workdir = TestPaths.scratchFolder("dm-pipeline")
        var text = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("Pipelines/openimages.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "/data/openimages", with: s.source.path)
        text = text.replacingOccurrences(of: "      backend: render ", with: (diffusionKeys(s).map { "      " + $0 + "\n" }.joined()) + "      #")
        let path = workdir.appendingPathComponent("openimages.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try ChildProcess.run("cn-run", [path, "--workdir", workdir.path, "--jobs", "2", "--progress", "never"])
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        let rows = try sqlite(workdir, "SELECT object_id, backend, checkpoint_sha256, model_config_hash, steps, guidance, eta, spacing, seed FROM novel_view ORDER BY object_id, idx")
        #expect(rows.count == 2 * clean.count)
        let sha = try #require(rows.first?[2])
        #expect(sha.count == 64 && rows.allSatisfy { $0[1] == "diffusion" && $0[2] == sha && $0[3].count == 64 && $0[4] == "\(Self.steps)" && $0[5] == "3.0" && $0[6] == "0.0" && $0[7] == "ldm" && !$0[8].isEmpty })
        #expect(Set(rows.map { $0[0] }) == Set(clean.map(\.objectID)))
        let samples = try sqlite(workdir, "SELECT s.polar, s.az_sin, s.az_cos, s.radius, n.polar_deg, n.azimuth_deg, s.id FROM sample s JOIN novel_view n ON s.reference = n.image")
        #expect(samples.count == 2 * clean.count)
        for row in samples {
            let x = Double(row[4])! * Double.pi / 180, y = Double(row[5])! * Double.pi / 180
            #expect(abs(Double(row[0])! + x) < 1e-9 && abs(Double(row[1])! - sin(-y)) < 1e-9 && abs(Double(row[2])! - cos(-y)) < 1e-9)
        }
        let check = try Python.run(script: "scripts/interop/check_corpus.py", [workdir.path])
        #expect(check.status == 0 && check.output.contains("ok: \(2 * clean.count) samples read by webdataset"), "\(check.output)")
        if let id = samples.first?[6] {
            let show = try ChildProcess.run("cn-manifest", ["show", id, "--workdir", workdir.path])
            #expect(show.status == 0 && show.stdout.contains("checkpoint_sha256") && show.stdout.contains(sha) && show.stdout.contains("spacing"), "\(ChildProcess.report(show))")
        }
        let view = try PNG.decodeRGBA(contentsOf: workdir.appendingPathComponent("synthesize/\(clean[0].objectID)/view_0.png").path)
        #expect(view.width == 256 && view.height == 256)
    }

    /// Same seed, same bytes; another seed, other bytes; the same batch always gives the same
    /// bytes and other batch sizes stay within 1 level.
    @Test func seedsAndBatchSizes() throws {
        let s = try shared()
        let a = try copy(s, "dm-seed-a"), b = try copy(s, "dm-seed-b"), c = try copy(s, "dm-seed-c")
        let one = try copy(s, "dm-batch-1"), two = try copy(s, "dm-batch-2")
        #expect(try synthesize(a, diffusionKeys(s)).status == 0)
        #expect(try synthesize(b, diffusionKeys(s), jobs: 1).status == 0)
        #expect(try synthesize(c, diffusionKeys(s), seed: 2).status == 0)
        #expect(try synthesize(one, diffusionKeys(s, batch: 1)).status == 0)
        #expect(try synthesize(two, diffusionKeys(s, batch: 2)).status == 0)
        let va = try views(a), vb = try views(b)
        #expect(va.count == 8 && va == vb, "same seed and batch must give the same bytes")
        let vc = try views(c)
        #expect(Set(vc.keys) == Set(va.keys) && va.keys.allSatisfy { va[$0] != vc[$0] }, "another seed must give other views")
        for other in [one, two] {
            let worst = try maxDifference(a, other)
            #expect(worst <= 1, "batch \(other.lastPathComponent): \(worst) levels from batch 4")
        }
    }

    /// The shipped PyTorch client as the external backend, on the same weights converted to a
    /// diffusers folder and the noise files the project writes, matches the diffusion backend
    /// within 2 levels.
    @Test func externalClientMatchesTheDiffusionBackend() throws {
        let s = try shared()
        let folder = TestPaths.scratchFolder("dm-diffusers"), out = TestPaths.scratchFolder("dm-external-out")
        let convert = try ChildProcess.run("cn-model", ["convert", "--checkpoint", s.checkpoint, "--config", s.yaml, "--naming", "diffusers", "--out", folder.path])
        #expect(convert.status == 0, "\(ChildProcess.report(convert))")
        let python = try Python.interpreter(importing: ["torch", "diffusers", "transformers"])
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/external/zero123_diffusers.py").path
        let diffusion = try copy(s, "dm-ext-diffusion"), external = try copy(s, "dm-ext-external")
        #expect(try synthesize(diffusion, diffusionKeys(s)).status == 0)
        let command = "[\(python), \(script), --model, \(folder.path), --out, \(out.path), --steps, '\(Self.steps)']"
        let run = try synthesize(external, ["backend: external", "command: \(command)", "batch_size: 3", "time_limit: 300", "model_config: \(s.yaml)"])
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        #expect(try sqlite(external, "SELECT DISTINCT backend FROM novel_view") == [["external"]])
        let worst = try maxDifference(diffusion, external)
        #expect(worst <= 2, "the external client differs from the diffusion backend by \(worst) levels")
    }

    /// SIGKILL during synthesis at fractions of an uninterrupted run's length, with items still
    /// pending, then a rerun: views and every row identical to the uninterrupted run (`KillResume`).
    @Test func killDuringSynthesisThenResume() throws {
        let s = try shared()
        let keys = diffusionKeys(s, batch: 2).map { $0.hasPrefix("steps:") ? "steps: 12" : $0 }
        let config = try Self.pipeline(TestPaths.scratchFolder("dm-kill-config"), keys)
        let outcome = try KillResume.check("cn-synthesize", ["--config", config, "--jobs", "1", "--progress", "never"],
                                           base: s.extracted, label: "dm-kill", resumeArguments: ["--max-crashes", "100"])
        print("kill-resume synthesize-diffusion: \(outcome.summary)")
        #expect(outcome.problems.isEmpty, "\(outcome.problems.joined(separator: "\n"))")
        #expect(outcome.killsWithPending >= 1 && outcome.killsMidRun >= 1, "no SIGKILL landed while views were pending: \(outcome.summary)")
        let views = try WorkdirSnapshot(outcome.resumed, tables: [:]).files.keys.filter { $0.hasPrefix("synthesize/") }
        #expect(views.count == 8)
    }

    /// `backend: auto` on the normal fixture (meshes known) with some mesh links removed: known
    /// meshes are rendered, the rest diffused, each row naming its backend.
    @Test func autoRendersKnownMeshesAndDiffusesTheRest() throws {
        let s = try shared()
        let source = TestPaths.scratchFolder("dm-auto-src"), workdir = TestPaths.scratchFolder("dm-auto")
        #expect(try ChildProcess.run("cn-fixture", ["openimages", "--out", source.path, "--count", "3", "--seed", "4"]).status == 0)
        for (tool, args) in [("cn-ingest", ["openimages", "--root", source.path]), ("cn-extract", [])] {
            #expect(try ChildProcess.run(tool, args + ["--workdir", workdir.path, "--progress", "never"]).status == 0)
        }
        let objects = try sqlite(workdir, "SELECT object_id FROM extraction ORDER BY object_id").map { $0[0] }
        #expect(objects.count == 4)
        let unknown = Set(objects.prefix(2))
        try OpenImagesBranchTests.sqliteWrite(workdir, "DELETE FROM object_mesh WHERE object_id IN (\(unknown.map { "'\($0)'" }.joined(separator: ",")))")
        var keys = diffusionKeys(s)
        keys[0] = "backend: auto"
        let run = try synthesize(workdir, keys)
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        for row in try sqlite(workdir, "SELECT object_id, backend, checkpoint_sha256 FROM novel_view") {
            #expect(row[1] == (unknown.contains(row[0]) ? "diffusion" : "render"), "\(row)")
            #expect((row[2] == "") == (row[1] == "render"))
        }
        #expect(try sqlite(workdir, "SELECT COUNT(*) FROM novel_view") == [["8"]])
    }

    /// A missing or corrupt checkpoint stops the stage with exit 1 and one line before any item is
    /// claimed; typos in the new keys are refused naming the step, the key and the accepted values.
    @Test func badCheckpointsAndTyposStopBeforeWork() throws {
        let s = try shared()
        let workdir = try copy(s, "dm-bad")
        let corrupt = workdir.appendingPathComponent("corrupt.ckpt")
        try Data(repeating: 7, count: 4096).write(to: corrupt)
        for checkpoint in [workdir.appendingPathComponent("missing.ckpt").path, corrupt.path] {
            var keys = diffusionKeys(s)
            keys[1] = "checkpoint: \(checkpoint)"
            let run = try synthesize(workdir, keys)
            #expect(run.status == 1, "\(run.stderr)")
            let lines = run.stderr.split(whereSeparator: \.isNewline)
            #expect(lines.count == 1 && lines[0].contains("checkpoint") && lines[0].contains(checkpoint), "\(run.stderr)")
            #expect(try sqlite(workdir, "SELECT COUNT(*) FROM work WHERE stage = 'synthesize'") == [["0"]])
        }
        for (typo, expected) in [("spacing: ldn", ["spacing", "ldm, leading"]), ("backend: difusion", ["backend", "render, diffusion, auto, external"]),
                                 ("guidence: 3", ["guidence", "guidance"]), ("batch_sise: 2", ["batch_sise", "batch_size"])] {
            var keys = diffusionKeys(s)
            if typo.hasPrefix("backend") { keys[0] = typo } else { keys.append(typo) }
            let run = try synthesize(workdir, keys)
            #expect(run.status != 0)
            let lines = run.stderr.split(whereSeparator: \.isNewline)
            #expect(lines.count == 1 && lines[0].contains("synthesize") && expected.allSatisfy { lines[0].contains($0) }, "\(typo): \(run.stderr)")
        }
        #expect(try sqlite(workdir, "SELECT COUNT(*) FROM work WHERE stage = 'synthesize'") == [["0"]])
    }
}
