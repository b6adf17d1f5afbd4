import Foundation
import Testing
import TestSupport

/// The Objaverse branch end to end, through the real executables.
@Suite(.serialized) struct ObjaverseBranchTests {
    let demo = TestPaths.repositoryRoot.appendingPathComponent("Pipelines/demo.yaml").path

    func sqlite(_ workdir: URL, _ sql: String) throws -> [String] {
        try WorkdirSnapshot.sqlite(workdir.appendingPathComponent("manifest.sqlite").path, sql)
    }

    func shardBytes(_ workdir: URL) throws -> [String: Data] {
        let folder = workdir.appendingPathComponent("shards")
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            out[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return out
    }

    /// Every file under glTF2/ and invalid/ of assimp-testmodels goes through ingest and render:
    /// valid ones render, broken ones fail with a one-line reason, nothing crashes or hangs.
    @Test func everyAssimpModelIsRenderedOrFailedWithAReason() throws {
        let workdir = TestPaths.scratchFolder("walk")
        for root in ["glTF2", "invalid"] {
            let ingest = try ChildProcess.run("cn-ingest", ["objaverse", "--root", TestPaths.assimpModels.appendingPathComponent(root).path,
                                                            "--workdir", workdir.path, "--progress", "never"])
            #expect(ingest.status == 0, "\(ChildProcess.report(ingest))")
        }
        let render = try ChildProcess.run("cn-render", ["--workdir", workdir.path, "--views", "2", "--resolution", "64", "--progress", "never"])
        #expect(render.status == 0, "\(ChildProcess.report(render))")
        let rows = try sqlite(workdir, "SELECT a.path, w.status, COALESCE(w.error_kind, ''), COALESCE(w.error, '') FROM asset a JOIN work w ON w.stage = 'render' AND w.item = a.id ORDER BY a.path")
        #expect(rows.count == 50)
        var outcome: [String: (status: String, kind: String)] = [:]
        for row in rows {
            let parts = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let name = parts[0].replacingOccurrences(of: TestPaths.assimpModels.path + "/", with: "")
            outcome[name] = (parts[1], parts[2])
            #expect(["done", "failed"].contains(parts[1]), "\(name) ended \(parts[1])")
            if parts[1] == "failed" { #expect(!parts[3].isEmpty && !parts[3].contains("\n"), "\(name) failed without a one-line reason") }
        }
        #expect(outcome["glTF2/BoxTextured-glTF-Binary/BoxTextured.glb"]?.status == "done")
        #expect(outcome["glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb"]?.status == "done")
        #expect(outcome["glTF2/draco/2CylinderEngine.gltf"]?.kind == "unsupported-extension")
        #expect(outcome["glTF2/MissingBin/BoxTextured.gltf"]?.kind == "missing-file")
        #expect(outcome["glTF2/BoxWithInfinites-glTF-Binary/BoxWithInfinites.glb"]?.kind == "non-finite-data")
        #expect(outcome["invalid/empty.obj"]?.status == "failed")
        #expect(outcome["invalid/malformed.obj"]?.status == "failed")
        let views = try sqlite(workdir, "SELECT COUNT(*) FROM view")
        let done = rows.filter { $0.contains("|done|") }.count
        #expect(views == ["\(2 * done)"])
    }

    /// The demo pipeline: shards byte-identical for the same seed, different for another seed,
    /// read back by Python's webdataset with the manifest's T and boxes; get_T on the .npy poses
    /// equals the manifest; no source in two splits.
    @Test func demoCorpusIsReproducibleAndReadableByWebDataset() throws {
        let a = TestPaths.scratchFolder("demoA"), b = TestPaths.scratchFolder("demoB"), c = TestPaths.scratchFolder("demoC")
        for (workdir, seed) in [(a, "7"), (b, "7"), (c, "8")] {
            let run = try ChildProcess.run("cn-run", [demo, "--workdir", workdir.path, "--seed", seed, "--progress", "never"])
            #expect(run.status == 0, "cn-run failed: \(ChildProcess.report(run))")
        }
        let shardsA = try shardBytes(a)
        #expect(shardsA.keys.contains("train-000000.tar") && shardsA.keys.contains("train-000000.json"))
        #expect(shardsA == (try shardBytes(b)), "same seed must give byte-identical shards")
        #expect(shardsA != (try shardBytes(c)), "another seed must give other shards")
        let leaks = try sqlite(a, "SELECT COUNT(*) FROM (SELECT substr(source, 1, 39) AS s FROM sample GROUP BY s HAVING COUNT(DISTINCT split) > 1)")
        #expect(leaks == ["0"])
        let check = try Python.run(script: "scripts/interop/check_corpus.py", [a.path])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("ok: 42 samples read by webdataset"), "\(check.output)")

        let show = try ChildProcess.run("cn-manifest", ["show", "--workdir", a.path, "1"])
        #expect(show.status == 0)
        for section in ["sample:", "composition:", "caption:", "asset:", "reference view:", "target view:", "shard:"] {
            #expect(show.stdout.contains(section), "show lacks \(section)")
        }
        let export = try ChildProcess.run("cn-shard", ["--workdir", a.path, "--format", "customnet"])
        #expect(export.status == 0, "\(ChildProcess.report(export))")
        let exported = a.appendingPathComponent("export/customnet")
        let folders = try FileManager.default.contentsOfDirectory(atPath: exported.path).sorted()
        #expect(folders.count == 11, "one CustomNet folder per extracted object with two views")
        for folder in folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: exported.appendingPathComponent(folder).path).sorted()
            #expect(names == ["input.jpg", "mask.jpg", "meta.json", "multi_view_00.jpg", "multi_view_01.jpg"])
            let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: exported.appendingPathComponent("\(folder)/meta.json"))) as? [String: Any]
            let view = meta?["view"] as? [[Int]]
            #expect(meta?["sbj_txt"] is String && meta?["caption"] is String && (meta?["bbox"] as? [Int])?.count == 4)
            #expect(view?.count == 2 && view?[1] == [-(view?[0][0] ?? 0), -(view?[0][1] ?? 0), 0])
        }

        let sheetPath = a.appendingPathComponent("sheet.png").path
        let sheet = try ChildProcess.run("cn-manifest", ["sheet", "--workdir", a.path, "--where", "split = 'train'", "--limit", "3", "--out", sheetPath])
        #expect(sheet.status == 0, "\(ChildProcess.report(sheet))")
        #expect(sheet.stdout.contains("3 samples"))
        let header = try Data(contentsOf: URL(fileURLWithPath: sheetPath)).prefix(8)
        #expect(Array(header) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// cn-render SIGKILLed at fractions of an uninterrupted run's length while views are still
    /// pending, then resumed: the published views and every row equal the uninterrupted run's, and
    /// no staging folder is left (`KillResume`).
    @Test func renderResumesAfterKills() throws {
        let sources = TestPaths.scratchFolder("renderSources"), base = TestPaths.scratchFolder("renderBase")
        let fixture = try ChildProcess.run("cn-fixture", ["objaverse", "--out", sources.path])
        #expect(fixture.status == 0, "\(ChildProcess.report(fixture))")
        let ingest = try ChildProcess.run("cn-ingest", ["objaverse", "--root", sources.path, "--workdir", base.path])
        #expect(ingest.status == 0, "\(ChildProcess.report(ingest))")
        let args = ["--views", "6", "--resolution", "128", "--jobs", "2", "--seed", "3", "--progress", "never"]
        let outcome = try KillResume.check("cn-render", args, base: base, label: "render", resumeArguments: ["--max-crashes", "100"])
        print("kill-resume render: \(outcome.summary)")
        #expect(outcome.problems.isEmpty, "\(outcome.problems.joined(separator: "\n"))")
        #expect(outcome.killsWithPending >= 1 && outcome.killsMidRun >= 1, "no SIGKILL landed while views were pending: \(outcome.summary)")
        let views = try WorkdirSnapshot(outcome.resumed, tables: [:]).files.keys.filter { $0.hasPrefix("render/") }
        #expect(views.count == 5 * 13, "5 assets with 6 views (.png + .npy) and a metadata file each")
    }
}

/// The cluster recipe (scripts/cluster/slurm-array): stages run per partition into separate
/// workdirs, the workdirs are merged, the shards written from the merged manifest; the shards
/// must equal those of one unpartitioned run, byte for byte.
@Suite struct PartitionedPipelineTests {
    @Test func partitionedRunsMergeIntoTheSameShards() throws {
        // As on a cluster, every partition reads the same source folders: the demo pipeline with
        // its fixtures written once to a shared place instead of into each workdir.
        let sources = TestPaths.scratchFolder("sharedSources")
        let text = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("Pipelines/demo.yaml"), encoding: .utf8)
        let demo = sources.appendingPathComponent("demo.yaml").path
        try text.replacingOccurrences(of: "{shared}/sources", with: sources.path).write(toFile: demo, atomically: true, encoding: .utf8)
        let whole = TestPaths.scratchFolder("wholePipeline")
        #expect(try ChildProcess.run("cn-run", [demo, "--workdir", whole.path, "--progress", "never"]).status == 0)
        var parts: [String] = []
        for index in 0..<2 {
            let part = TestPaths.scratchFolder("pipelinePart\(index)")
            let run = try ChildProcess.run("cn-run", [demo, "--to", "caption", "--partition", "\(index)/2", "--workdir", part.path, "--progress", "never"])
            #expect(run.status == 0, "\(ChildProcess.report(run))")
            parts.append(part.path)
        }
        let merged = TestPaths.scratchFolder("pipelineMerged")
        let merge = try ChildProcess.run("cn-manifest", ["merge"] + parts + ["--into", merged.path])
        #expect(merge.status == 0, "\(ChildProcess.report(merge))")
        #expect(try ChildProcess.run("cn-run", [demo, "--only", "shard", "--workdir", merged.path, "--progress", "never"]).status == 0)
        let shards = { (folder: URL) throws -> [String: Data] in
            let dir = folder.appendingPathComponent("shards")
            return Dictionary(uniqueKeysWithValues: try FileManager.default.contentsOfDirectory(atPath: dir.path).map {
                ($0, try Data(contentsOf: dir.appendingPathComponent($0)))
            })
        }
        let expected = try shards(whole)
        #expect(!expected.isEmpty)
        #expect(try shards(merged) == expected)
    }
}
