import Foundation
import Testing
import TestSupport

/// `time_limit` covers loading, and SIGTERM ends cn-render mid-load: the loaders poll the item's
/// deadline, which the render stage builds from the step's time limit and the stop signal.
@Suite(.serialized) struct RenderDeadlineTests {
    /// An ascii PLY that takes seconds of CPU to parse (one real triangle among `vertices`).
    static func slowAsset(vertices: Int) throws -> (source: URL, workdir: URL) {
        let folder = TestPaths.scratchFolder("slowply")
        let source = folder.appendingPathComponent("src"), workdir = folder.appendingPathComponent("wd")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        var text = "ply\nformat ascii 1.0\nelement vertex \(vertices)\nproperty float x\nproperty float y\nproperty float z\n"
        text += "element face 1\nproperty list uchar int vertex_indices\nend_header\n"
        text += String(repeating: "0.5 0.25 0.125\n", count: vertices - 3) + "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n"
        try text.write(to: source.appendingPathComponent("slow.ply"), atomically: false, encoding: .utf8)
        let ingest = try ChildProcess.run("cn-ingest", ["objaverse", "--root", source.path, "--workdir", workdir.path, "--progress", "never"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return (source, workdir)
    }

    static func pipeline(in folder: URL, timeLimit: Double) throws -> String {
        let path = folder.appendingPathComponent("render.yaml").path
        try "name: t\nsteps:\n  - stage: render\n    run: [cn-render]\n    config:\n      views: 1\n      resolution: 64\n      time_limit: \(timeLimit)\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func workRow(_ workdir: URL) throws -> String {
        try WorkdirSnapshot.sqlite(workdir.appendingPathComponent("manifest.sqlite").path,
                                   "SELECT status || '|' || COALESCE(error_kind, '') FROM work WHERE stage = 'render'").first ?? ""
    }

    @Test func anItemOverItsTimeLimitFailsMidLoad() throws {
        let (_, workdir) = try Self.slowAsset(vertices: 600_000)
        let started = Date()
        let render = try ChildProcess.run("cn-render", ["--workdir", workdir.path, "--config", try Self.pipeline(in: workdir, timeLimit: 0.5),
                                                         "--progress", "never"])
        let seconds = Date().timeIntervalSince(started)
        #expect(render.status == 0, "\(render.stderr)")
        #expect(try workRow(workdir) == "failed|time-limit")
        // Loading alone takes several seconds of CPU here; the limit stops it after half a second.
        #expect(seconds < 10, "cn-render took \(seconds) s against a 0.5 s limit")
    }

    @Test func sigtermEndsTheStageWithinSecondsEvenMidLoad() throws {
        let (_, workdir) = try Self.slowAsset(vertices: 1_500_000)
        let render = try ChildProcess("cn-render", ["--workdir", workdir.path, "--config", try Self.pipeline(in: workdir, timeLimit: 600),
                                                     "--progress", "never"])
        Thread.sleep(forTimeInterval: 2)
        #expect(render.process.isRunning, "the load should still be running after 2 s")
        let signalled = Date()
        render.process.terminate()
        let result = render.wait()
        let seconds = Date().timeIntervalSince(signalled)
        #expect(render.process.terminationReason == .exit, "cn-render died by a signal: \(result.stderr)")
        #expect(seconds < 8, "cn-render took \(seconds) s to stop after SIGTERM")
        let row = try workRow(workdir)
        #expect(["failed|interrupted", "pending|"].contains(row), "\(row)")
    }
}
