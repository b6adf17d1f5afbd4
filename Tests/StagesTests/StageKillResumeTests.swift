import Foundation
import Testing
import TestSupport

/// Crash-resume of every stage executable (issue 15, item 2): each runs uninterrupted on a copy of
/// its input workdir, then on another copy is SIGKILLed at fractions of that run's length and
/// resumed; files and manifest rows must equal the uninterrupted run's (`KillResume`).
@Suite(.serialized) struct StageKillResumeTests {
    /// The inputs of every stage, built once: fixture sources and a workdir copy after each stage.
    struct Shared: Sendable {
        let objaverseSource: URL, openImagesSource: URL, config: String, externalConfig: String
        let ingested: URL, rendered: URL, composed: URL, captioned: URL, oiIngested: URL, oiExtracted: URL, partitions: [URL]
    }

    static let shared: Result<Shared, SetupFailure> = {
        do { return .success(try build()) } catch { return .failure(SetupFailure(text: "\(error)")) }
    }()

    static let options = ["--jobs", "2", "--seed", "5", "--progress", "never"]

    /// Runs a tool on `workdir` (or with `arguments` only when `workdir` is nil); throws with its report when it fails.
    static func step(_ tool: String, _ arguments: [String], _ workdir: URL?) throws {
        let result = try ChildProcess.run(tool, arguments + (workdir.map { ["--workdir", $0.path] + options } ?? []))
        guard result.status == 0 else { throw SetupFailure(text: "\(tool) \(arguments.first ?? "") failed: \(ChildProcess.report(result))") }
    }

    static func snapshot(_ workdir: URL, _ label: String) throws -> URL { try KillResume.copy(workdir, label) }

    static func build() throws -> Shared {
        let sources = TestPaths.scratchFolder("kr-sources")
        let objaverse = sources.appendingPathComponent("objaverse"), openImages = sources.appendingPathComponent("openimages")
        try step("cn-fixture", ["objaverse", "--out", objaverse.path], nil)
        try step("cn-fixture", ["openimages", "--out", openImages.path, "--count", "6", "--seed", "4"], nil)
        let config = sources.appendingPathComponent("stages.yaml").path
        try """
            name: kill-resume
            steps:
              - stage: render
                run: [cn-render]
                config: {views: 6, resolution: 64}
              - stage: compose
                run: [cn-compose]
                config: {pairs_per_asset: 6}
              - stage: synthesize
                run: [cn-synthesize]
                config: {backend: render, render_size: 128, supersampling: 2}
              - stage: shard
                run: [cn-shard]
                config: {train: 0.8, val: 0.1, test: 0.1, max_samples: 3}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let externalConfig = try writeExternalSynthesizer(sources)

        let work = TestPaths.scratchFolder("kr-chain")
        try step("cn-ingest", ["objaverse", "--root", objaverse.path], work)
        let ingested = try snapshot(work, "kr-ingested")
        try step("cn-render", ["--config", config], work)
        let rendered = try snapshot(work, "kr-rendered")
        try step("cn-compose", ["--config", config], work)
        let composed = try snapshot(work, "kr-composed")
        try step("cn-caption", ["--config", config], work)
        let captioned = try snapshot(work, "kr-captioned")

        let oiWork = TestPaths.scratchFolder("kr-oi-chain")
        try step("cn-ingest", ["openimages", "--root", openImages.path], oiWork)
        let oiIngested = try snapshot(oiWork, "kr-oi-ingested")
        try step("cn-extract", ["--config", config], oiWork)
        let oiExtracted = try snapshot(oiWork, "kr-oi-extracted")

        var partitions: [URL] = []
        for index in 0..<2 {
            let part = TestPaths.scratchFolder("kr-part\(index)")
            try step("cn-ingest", ["objaverse", "--root", objaverse.path, "--partition", "\(index)/2"], part)
            try step("cn-render", ["--config", config, "--partition", "\(index)/2"], part)
            partitions.append(part)
        }
        return Shared(objaverseSource: objaverse, openImagesSource: openImages, config: config, externalConfig: externalConfig,
                      ingested: ingested, rendered: rendered, composed: composed, captioned: captioned,
                      oiIngested: oiIngested, oiExtracted: oiExtracted, partitions: partitions)
    }

    /// An external synthesis command (Python, Pillow, numpy) that turns the reference by the view's
    /// angles plus its noise file's mean, a little slowly, and the pipeline file that runs it.
    static func writeExternalSynthesizer(_ folder: URL) throws -> String {
        let script = folder.appendingPathComponent("synthesizer.py"), out = folder.appendingPathComponent("external-views")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try """
            import json, os, sys, time
            import numpy as np
            from PIL import Image
            out = sys.argv[1]
            for line in sys.stdin:
                if not line.strip():
                    continue
                request = json.loads(line)
                reference = Image.open(request["image"]).convert("RGBA")
                views = []
                for i, (polar, azimuth, radius) in enumerate(request["views"]):
                    angle = polar + azimuth + float(np.load(request["noise"][i]).mean())
                    view = reference.rotate(angle, resample=Image.BILINEAR, fillcolor=(255, 255, 255, 0))
                    path = os.path.join(out, "%s_%d.png" % (request["id"].replace("/", "_").replace(":", "_"), i))
                    view.save(path + ".tmp%d" % os.getpid(), format="PNG")
                    os.replace(path + ".tmp%d" % os.getpid(), path)
                    views.append(path)
                time.sleep(0.1)
                print(json.dumps({"id": request["id"], "views": views}), flush=True)
            """.write(to: script, atomically: true, encoding: .utf8)
        let python = try Python.interpreter(importing: ["numpy", "PIL"])
        let config = folder.appendingPathComponent("external.yaml").path
        try """
            name: kill-resume-external
            steps:
              - stage: synthesize
                run: [cn-synthesize]
                config: {backend: external, command: [\(String(reflecting: python)), \(String(reflecting: script.path)), \(String(reflecting: out.path))], batch_size: 2, time_limit: 120}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    func shared() throws -> Shared { try Self.shared.get() }

    /// Runs the check and records what it found.
    /// `midRun`: the run is long enough (seconds, not a process start) that a kill must land
    /// after some units were finished, not only while all were pending.
    func expectResume(_ executable: String, _ arguments: [String], base: URL?, label: String, midRun: Bool = true,
                      finished: (URL) throws -> Int = KillResume.finishedWorkRows) throws {
        let stage = !["cn-shard", "cn-manifest"].contains(executable)
        let outcome = try KillResume.check(executable, arguments, base: base, label: label,
                                           resumeArguments: stage ? ["--max-crashes", "100"] : [], finished: finished)
        print("kill-resume \(label): \(outcome.summary)")
        #expect(outcome.problems.isEmpty, "\(label): \(outcome.problems.joined(separator: "\n"))")
        #expect(outcome.killsWithPending >= 1, "\(label): no SIGKILL landed while work was pending: \(outcome.summary)")
        if midRun { #expect(outcome.killsMidRun >= 1, "\(label): no SIGKILL landed between the first and the last unit: \(outcome.summary)") }
    }

    @Test func ingestObjaverse() throws {
        let s = try shared()
        try expectResume("cn-ingest", ["objaverse", "--root", s.objaverseSource.path] + Self.options, base: nil, label: "ingest-objaverse", midRun: false)
    }

    @Test func ingestOpenImages() throws {
        let s = try shared()
        try expectResume("cn-ingest", ["openimages", "--root", s.openImagesSource.path] + Self.options, base: nil, label: "ingest-openimages", midRun: false)
    }

    @Test func extract() throws {
        let s = try shared()
        try expectResume("cn-extract", ["--config", s.config] + Self.options, base: s.oiIngested, label: "extract")
    }


    @Test func synthesizeWithTheRenderBackend() throws {
        let s = try shared()
        try expectResume("cn-synthesize", ["--config", s.config] + Self.options, base: s.oiExtracted, label: "synthesize-render")
    }

    @Test func synthesizeWithAnExternalBackend() throws {
        let s = try shared()
        try expectResume("cn-synthesize", ["--config", s.externalConfig, "--jobs", "1", "--seed", "5", "--progress", "never"],
                         base: s.oiExtracted, label: "synthesize-external")
    }

    @Test func compose() throws {
        let s = try shared()
        try expectResume("cn-compose", ["--config", s.config] + Self.options, base: s.rendered, label: "compose")
    }

    @Test func caption() throws {
        let s = try shared()
        try expectResume("cn-caption", ["--config", s.config] + Self.options, base: s.composed, label: "caption", midRun: false)
    }

    /// Progress of cn-shard: shards whose index is written (an index comes after its closed tar).
    @Test func shard() throws {
        let s = try shared()
        try expectResume("cn-shard", ["--config", s.config], base: s.captioned, label: "shard") { workdir in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: workdir.appendingPathComponent("shards").path)) ?? []
            return names.filter { $0.hasSuffix(".json") }.count
        }
    }

    /// Progress of a merge: files linked into the destination plus its finished work rows.
    @Test func manifestMerge() throws {
        let s = try shared()
        try expectResume("cn-manifest", ["merge"] + s.partitions.map(\.path) + ["--into", "{workdir}"], base: nil, label: "merge", midRun: false) { workdir in
            let files = try WorkdirSnapshot(workdir, tables: [:]).files.count
            return files + (try KillResume.finishedWorkRows(workdir))
        }
    }
}

/// A tool that failed while the shared inputs were built.
struct SetupFailure: Error, CustomStringConvertible {
    let text: String
    var description: String { text }
}
