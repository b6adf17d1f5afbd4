import Foundation
import Imaging
import NN
import Pipeline
import Support
import Testing
import TestSupport
@testable import Training

/// The demo's model half (Pipelines/demo-model.yaml): a CPU model trained a few steps, then
/// cn-synthesize's diffusion backend on Open Images objects with no mesh, from that run folder:
/// views on the canvas, the checkpoint's sha256 in every novel_view row, the same bytes twice.
@Suite(.serialized) struct TrainedCheckpointSynthesisTests {
    /// Pipelines/demo-model.yaml with the checkpoint set to `run` and `steps` DDIM steps.
    static func pipeline(_ folder: URL, run: URL, steps: Int) throws -> String {
        let source = TestPaths.repositoryRoot.appendingPathComponent("Pipelines/demo-model.yaml").path
        let lines = try String(contentsOfFile: source, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("      checkpoint: ") { return "      checkpoint: " + run.path }
            if line.hasPrefix("      steps: ") { return "      steps: \(steps)" }
            if line.contains("--count") { return line.replacingOccurrences(of: "\"6\"", with: "\"3\"") }
            return String(line)
        }
        let path = folder.appendingPathComponent("demo-model.yaml").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func runPipeline(_ pipeline: String, _ workdir: URL) throws {
        let run = try ChildProcess.run("cn-run", [pipeline, "--workdir", workdir.path, "--progress", "never"])
        #expect(run.status == 0, "cn-run failed: \(run.stderr)")
    }

    @Test func demoModelPipelineMakesViewsWithTheTrainedCheckpoint() throws {
        let run = try TrainedViewGeneratorTests.train("demo-model-train", mode: .view, steps: 4)
        let folder = TestPaths.scratchFolder("demo-model")
        let pipeline = try Self.pipeline(folder, run: run, steps: 3)
        let (first, second) = (folder.appendingPathComponent("a"), folder.appendingPathComponent("b"))
        try runPipeline(pipeline, first)
        try runPipeline(pipeline, second)
        let checkpoint = TrainingCheckpoint.path(run: run.path, step: 4)
        let sha = SHA256.hex(try FileReading.readAll(checkpoint, limit: 1 << 30))
        let rows = try WorkdirSnapshot.sqlite(first.appendingPathComponent("manifest.sqlite").path,
                                              "SELECT backend, checkpoint_sha256, steps FROM novel_view")
        #expect(!rows.isEmpty)
        #expect(Set(rows) == ["diffusion|\(sha)|3"], "novel_view rows: \(rows)")
        let a = try WorkdirSnapshot(first, tables: [:]).files.filter { $0.key.hasPrefix("synthesize/") && $0.key.hasSuffix(".png") }
        let b = try WorkdirSnapshot(second, tables: [:]).files.filter { $0.key.hasPrefix("synthesize/") && $0.key.hasSuffix(".png") }
        #expect(a.count == rows.count && a.count >= 2, "\(a.count) view files for \(rows.count) novel_view rows")
        #expect(a == b, "two runs made different views")
        if let (name, bytes) = a.first {
            let image = try PNG.decodeRGBA([UInt8](bytes))
            #expect(image.width == 256 && image.height == 256, "\(name) is \(image.width)x\(image.height)")
        }
    }
}
