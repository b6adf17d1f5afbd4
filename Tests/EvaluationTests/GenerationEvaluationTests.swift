import Foundation
import Testing
import Imaging
import Support
import TestSupport
@testable import Evaluation

/// `cn-eval views` on the demo corpus with a briefly trained CPU model, and its HTML report in
/// headless Chromium.
@Suite("cn-eval views") struct GenerationEvaluationTests {
    /// The smallest preset of the SD-1.x block structure (8x8 pixels), as the trainer's tests use.
    static let microPreset = """
        preset: eval-micro
        image_size: 12
        first_stage: identity
        conditioner: learned
        encoder_channels: [8, 16]
        text_vocabulary: 64
        unet:
          model_channels: 8
          channel_mult: [1, 2]
          attention_resolutions: [2]
          num_res_blocks: 1
          num_heads: 2
          context_dim: 16
          norm_groups: 4
        train:
          batch: 4
          lr: 3.0e-3
          warmup_steps: 5
          warmup_start: 0.1
          grad_clip: 1.0
          steps: 10
          checkpoint_every: 10
          val_every: 10
          val_batches: 1
          sample_every: 0
          shuffle_buffer: 8
          keep_checkpoints: 1
        """

    /// Writes a preset YAML into `folder` and returns its path.
    static func writePreset(_ folder: URL, _ text: String = microPreset, name: String = "eval-micro") throws -> String {
        let path = folder.appendingPathComponent("\(name).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A workdir holding the demo corpus (`cn-run Pipelines/demo.yaml`) and the micro preset's path.
    static func demoCorpus(_ label: String) throws -> (work: URL, preset: String) {
        let work = TestPaths.scratchFolder(label)
        let demo = TestPaths.repositoryRoot.appendingPathComponent("Pipelines/demo.yaml").path
        let pipeline = try ChildProcess.run("cn-run", [demo, "--workdir", work.path, "--jobs", "2", "--progress", "never"])
        try #require(pipeline.status == 0, "cn-run demo failed: \(ChildProcess.report(pipeline))")
        return (work, try writePreset(work))
    }

    /// Parses report.json.
    static func readReport(_ folder: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("report.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func viewsOnTheDemoCorpusWithBaselinesAndHTML() throws {
        let (work, preset) = try Self.demoCorpus("eval-views")
        let runFolder = work.appendingPathComponent("run")
        let train = try ChildProcess.run("cn-train", ["view", "--workdir", work.path, "--config", preset, "--out", runFolder.path,
                                                      "--steps", "10", "--progress", "never"])
        try #require(train.status == 0, "cn-train failed: \(train.stderr)")
        let checkpoint = runFolder.appendingPathComponent("checkpoints/step-000010.safetensors").path
        let out = work.appendingPathComponent("eval-views")
        let views = try ChildProcess.run("cn-eval", ["views", "--checkpoint", checkpoint, "--workdir", work.path, "--split", "test",
                                                     "--steps", "4", "--out", out.path, "--resamples", "200"])
        try #require(views.status == 0, "cn-eval views failed: \(views.stderr)")
        print(views.stdout)

        let report = try Self.readReport(out)
        let items = try #require(report["items"] as? [[String: Any]])
        let scored = items.filter { $0["error"] is NSNull }
        #expect(scored.count >= 2, "too few scored test pairs: \(items)")
        for item in scored {
            #expect(Int(item["id"] as? String ?? "") != nil, "id is not a sample id: \(item)")
            for metric in ["psnr", "ssim", "ssim_gaussian"] { #expect(item[metric] is Double, "\(metric) missing in \(item)") }
            for metric in ["lpips", "clip_i", "clip_t", "dino_i"] { #expect(item[metric] is NSNull, "\(metric) without weights must be null") }
        }
        let aggregate = try #require(report["aggregate"] as? [String: [String: Any]])
        let psnr = try #require(aggregate["psnr"])
        let interval = try #require(psnr["ci95"] as? [Double])
        let mean = try #require(psnr["mean"] as? Double)
        #expect(interval.count == 2 && interval[0] <= mean && mean <= interval[1])
        #expect(psnr["n"] as? Int == scored.count)
        let baselines = try #require(report["baselines"] as? [String: [String: [String: Any]]])
        #expect(baselines["reference_copy"]?["psnr"]?["n"] as? Int == scored.count, "reference_copy must be measured on the same items")
        #expect(baselines["exact_render"]?["ssim"] != nil, "the demo's test split holds fixture objects: exact_render expected (\(baselines.keys.sorted()))")
        let digest = SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: checkpoint)))
        #expect(report["checkpoint_sha256"] as? String == digest)
        let sampler = try #require(report["sampler"] as? [String: Any])
        #expect(sampler["name"] as? String == "ddim" && sampler["steps"] as? Int == 4 && sampler["eta"] as? Double == 0)
        #expect(sampler["guidance_scale"] as? Double == 3 && sampler["seed"] as? Int == 0)
        for file in ["report.csv", "report.html", "grid.png"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) missing")
        }

        // Same inputs and seed, same bytes.
        let again = work.appendingPathComponent("eval-views-again")
        let second = try ChildProcess.run("cn-eval", ["views", "--checkpoint", checkpoint, "--workdir", work.path, "--split", "test",
                                                      "--steps", "4", "--out", again.path, "--resamples", "200"])
        #expect(second.status == 0)
        #expect(try Data(contentsOf: again.appendingPathComponent("report.csv")) == Data(contentsOf: out.appendingPathComponent("report.csv")))

        try Self.checkHTMLInChromium(out, rows: items.count, imageRows: scored.count)
    }

    /// `cn-eval customize` on the demo corpus with a briefly trained CustomNet: every test sample is
    /// scored (pixel metrics against its scene target), the `target` baseline scores the target
    /// against itself (SSIM 1), the same seed gives the same bytes, and a views-only checkpoint is
    /// refused with a one-line message.
    @Test func customizeOnTheDemoCorpusWithBaselines() throws {
        let (work, preset) = try Self.demoCorpus("eval-customize")
        func train(_ mode: String) throws -> String {
            let folder = work.appendingPathComponent("run-\(mode)")
            let result = try ChildProcess.run("cn-train", [mode, "--workdir", work.path, "--config", preset, "--out", folder.path,
                                                          "--steps", "10", "--progress", "never"])
            try #require(result.status == 0, "cn-train \(mode) failed: \(ChildProcess.report(result))")
            return folder.appendingPathComponent("checkpoints/step-000010.safetensors").path
        }
        let checkpoint = try train("customnet")
        func customize(_ checkpoint: String, _ out: URL) throws -> (status: Int32, stdout: String, stderr: String) {
            try ChildProcess.run("cn-eval", ["customize", "--checkpoint", checkpoint, "--workdir", work.path, "--split", "test",
                                             "--steps", "3", "--out", out.path, "--resamples", "100"])
        }
        let out = work.appendingPathComponent("eval-customize")
        let run = try customize(checkpoint, out)
        try #require(run.status == 0, "cn-eval customize failed: \(ChildProcess.report(run))")
        print(run.stdout)

        let report = try Self.readReport(out)
        let items = try #require(report["items"] as? [[String: Any]])
        let scored = items.filter { $0["error"] is NSNull }
        let testSamples = try WorkdirSnapshot.sqlite(work.appendingPathComponent("manifest.sqlite").path,
                                                     "SELECT COUNT(*) FROM sample WHERE split = 'test'")
        #expect(!scored.isEmpty && "\(items.count)" == testSamples.first, "customize must score every test sample: \(items.count) items, \(testSamples)")
        for item in scored {
            for metric in ["psnr", "ssim"] { #expect(item[metric] is Double, "\(metric) missing in \(item)") }
            for metric in ["clip_i", "clip_t", "dino_i"] { #expect(item[metric] is NSNull, "\(metric) without weights must be null") }
        }
        let baselines = try #require(report["baselines"] as? [String: [String: [String: Any]]])
        let targetSSIM = try #require(baselines["target"]?["ssim"]?["mean"] as? Double, "no target baseline: \(baselines.keys.sorted())")
        #expect(abs(targetSSIM - 1) < 1e-9, "the target scored against itself must have SSIM 1, got \(targetSSIM)")
        let copySSIM = try #require(baselines["reference_copy"]?["ssim"]?["mean"] as? Double)
        #expect(copySSIM < 1, "the reference is not the scene target: reference_copy SSIM \(copySSIM)")
        let again = work.appendingPathComponent("eval-customize-again")
        #expect(try customize(checkpoint, again).status == 0)
        #expect(try Data(contentsOf: again.appendingPathComponent("report.csv")) == Data(contentsOf: out.appendingPathComponent("report.csv")))

        let viewsOnly = try customize(try train("view"), work.appendingPathComponent("eval-refused"))
        #expect(viewsOnly.status == 1, "a views-only checkpoint must be refused")
        #expect(viewsOnly.stderr.contains("CustomNet checkpoint") && viewsOnly.stderr.split(separator: "\n").count == 1,
                "expected one line naming the problem: \(viewsOnly.stderr)")
    }

    /// Opens report.html in headless Chromium: the dumped DOM has every item row with its two images
    /// (files that exist), and the screenshot is not blank.
    static func checkHTMLInChromium(_ out: URL, rows: Int, imageRows: Int) throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else {
            Issue.record("chromium is not installed (scripts/setup installs it)")
            return
        }
        let page = out.appendingPathComponent("report.html").absoluteString
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--allow-file-access-from-files"]
        let dom = try ProcessRunner.run(chromium, flags + ["--dump-dom", page])
        #expect(dom.status == 0, "\(dom.stderr)")
        let text = String(decoding: dom.stdout, as: UTF8.self)
        #expect(text.components(separatedBy: "<tr class=\"item\">").count - 1 == rows, "the rendered DOM lacks item rows")
        let sources = text.components(separatedBy: "<img src=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(sources.count == 2 * imageRows, "expected a prediction and a target image per scored item, found \(sources.count)")
        for source in sources {
            let path = out.appendingPathComponent(source.removingPercentEncoding ?? source).path
            #expect(FileManager.default.fileExists(atPath: path), "image \(source) of the page is missing")
        }
        let shot = out.appendingPathComponent("screenshot.png")
        let result = try ProcessRunner.run(chromium, flags + ["--window-size=1200,1600", "--screenshot=\(shot.path)", page])
        #expect(result.status == 0, "\(result.stderr)")
        let screenshot = try ImageFile.loadRGBA(shot.path)
        var colourful = 0
        for k in stride(from: 0, to: screenshot.pixels.count, by: 4) {
            let r = Int(screenshot.pixels[k]), g = Int(screenshot.pixels[k + 1]), b = Int(screenshot.pixels[k + 2])
            if max(r, g, b) - min(r, g, b) > 30 { colourful += 1 }
        }
        #expect(colourful > 5000, "the screenshot shows no rendered images (\(colourful) coloured pixels)")
    }
}
