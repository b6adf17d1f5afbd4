import Foundation
import Testing
import Imaging
import TestSupport
@testable import Evaluation

/// The report writers, the bootstrap, the HTML page in headless Chromium and `cn-eval compare`.
@Suite("Reports and cn-eval compare") struct ReportTests {
    /// Six solid-colour predictions (each a distinct colour, one missing its target) against grey targets.
    static func makeFolders() throws -> (predictions: URL, targets: URL, colors: [RGBA8]) {
        let root = TestPaths.scratchFolder("eval-report")
        let predictions = root.appendingPathComponent("pred"), targets = root.appendingPathComponent("target")
        try FileManager.default.createDirectory(at: predictions, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: targets, withIntermediateDirectories: true)
        let colors = [RGBA8(230, 20, 20), RGBA8(20, 200, 30), RGBA8(30, 40, 220), RGBA8(240, 200, 0), RGBA8(200, 0, 200), RGBA8(0, 190, 200)]
        for (i, color) in colors.enumerated() {
            var p = RGBAImage(width: 32, height: 32, fill: color)
            p.fill(PixelRect(x: 8, y: 8, width: 8 + i, height: 8), with: .black)
            try ImageFile.write(p, to: predictions.appendingPathComponent("item \(i).png").path)
            if i < 5 {
                var t = RGBAImage(width: 32, height: 32, fill: RGBA8(128, 128, 128))
                t.fill(PixelRect(x: 8, y: 8, width: 10, height: 8), with: .black)
                try ImageFile.write(t, to: targets.appendingPathComponent("item \(i).png").path)
            }
        }
        return (predictions, targets, colors)
    }

    @Test func bootstrapIsSeededAndBracketsTheMean() {
        let values = (0..<40).map { Double($0 % 7) * 0.1 }
        let a = Bootstrap(seed: 3).interval(values)!, b = Bootstrap(seed: 3).interval(values)!
        #expect(a == b)
        #expect(a.lower < a.mean && a.mean < a.upper && a.count == 40)
        #expect(Bootstrap().interval([2.5]) == MeanInterval(mean: 2.5, lower: 2.5, upper: 2.5, count: 1))
        #expect(Bootstrap().interval([]) == nil)
        #expect(Bootstrap.percentile([1, 2, 3, 4], 50) == 2.5)
    }

    @Test func compareWritesTheContractAndAnHTMLPageChromiumRenders() throws {
        let (predictions, targets, colors) = try Self.makeFolders()
        let out = TestPaths.scratchFolder("eval-report-out")
        let options = CompareOptions(predictions: predictions.path, targets: targets.path,
                                     baselines: [("copy_of_target", targets.path)])
        let (report, images) = try CompareEvaluation.run(options, scorer: PairScorer(networks: MetricNetworks()))
        try CompareEvaluation.write(report, images: images, to: out.path)

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as! [String: Any]
        let items = json["items"] as! [[String: Any]]
        #expect(items.count == 6)
        for item in items {
            for key in ["id", "psnr", "ssim", "ssim_gaussian", "lpips", "clip_i", "clip_t", "dino_i"] { #expect(item.keys.contains(key)) }
            #expect(item["lpips"] is NSNull && item["clip_i"] is NSNull && item["dino_i"] is NSNull)
        }
        let missing = items.first { ($0["id"] as? String) == "item 5" }!
        #expect((missing["error"] as? String)?.contains("no target") == true)
        let aggregate = json["aggregate"] as! [String: [String: Any]]
        #expect(Set(aggregate.keys) == ["psnr", "ssim", "ssim_gaussian"])
        #expect((aggregate["ssim"]!["n"] as! Int) == 5 && (aggregate["ssim"]!["ci95"] as! [Double]).count == 2)
        let baselines = json["baselines"] as! [String: [String: [String: Any]]]
        #expect((baselines["copy_of_target"]!["ssim"]!["mean"] as! Double) == 1)
        #expect(json.keys.contains("checkpoint_sha256") && json.keys.contains("sampler"))
        let csv = try String(contentsOf: out.appendingPathComponent("report.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 7)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("grid.png").path))

        // Headless Chromium: every row and image must render.
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else {
            Issue.record("chromium is not installed (apt-get install chromium)")
            return
        }
        let shot = out.appendingPathComponent("screenshot.png")
        let result = try ProcessRunner.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                      "--window-size=1400,1400", "--screenshot=\(shot.path)",
                                                      out.appendingPathComponent("report.html").absoluteString])
        #expect(result.status == 0, "\(result.stderr)")
        let screenshot = try ImageFile.loadRGBA(shot.path)
        #expect(screenshot.width == 1400 && screenshot.height == 1400)
        // Each prediction's colour (5 scored + the one without a target, shown too) must appear as an image.
        for (i, color) in colors.enumerated() {
            var count = 0
            for k in stride(from: 0, to: screenshot.pixels.count, by: 4) {
                let dr = abs(Int(screenshot.pixels[k]) - Int(color.r)), dg = abs(Int(screenshot.pixels[k + 1]) - Int(color.g))
                let db = abs(Int(screenshot.pixels[k + 2]) - Int(color.b))
                if dr + dg + db < 12 { count += 1 }
            }
            if i < 5 { #expect(count > 2000, "prediction image \(i) not rendered (\(count) pixels of its colour)") }
        }
        var nonWhite = 0
        for k in stride(from: 0, to: screenshot.pixels.count, by: 4) where screenshot.pixels[k] < 200 { nonWhite += 1 }
        #expect(nonWhite > 20000, "the screenshot looks blank")
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<tr class=\"item\">").count - 1 == 6)
        print("report screenshot \(screenshot.width)x\(screenshot.height) at \(shot.path), \(nonWhite) dark pixels")
    }

    @Test func cnEvalCompareExitStatuses() throws {
        let (predictions, targets, _) = try Self.makeFolders()
        let out = TestPaths.scratchFolder("eval-cli-out")
        let ok = try ChildProcess.run("cn-eval", ["compare", "--predictions", predictions.path, "--targets", targets.path, "--out", out.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("5 scored, 1 item error(s)"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.html").path))
        let usage = try ChildProcess.run("cn-eval", ["compare", "--predictions", predictions.path, "--targets", targets.path,
                                                     "--out", out.path, "--lpips-heads", "x.pth"])
        #expect(usage.status == 2)
        let missing = try ChildProcess.run("cn-eval", ["compare", "--predictions", "/nonexistent", "--targets", targets.path, "--out", out.path])
        #expect(missing.status == 1)
        #expect(missing.stderr.split(separator: "\n").count == 1)
        let badWeights = try ChildProcess.run("cn-eval", ["compare", "--predictions", predictions.path, "--targets", targets.path,
                                                        "--out", out.path, "--dino", "/nonexistent.pth"])
        #expect(badWeights.status == 1)
    }
}
