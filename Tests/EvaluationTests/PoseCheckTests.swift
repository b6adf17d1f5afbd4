import Foundation
import Testing
import Imaging
import Shards
import Support
import TestSupport
@testable import Evaluation

/// `cn-eval pose-check`: a gap on a model trained with the true T, none on a model trained on the
/// same corpus with T shuffled before training.
///
/// Sizes: a synthetic corpus in the shards contract, 8x8 pixels, 64 train and 24 val samples; the
/// target is a flat colour set by T (red by sin Δaz, green by cos Δaz, blue by Δpolar) and the
/// reference a flat colour of its own, so only T tells the target. Model: the SD-1.x block
/// structure at width 8 (GenerationEvaluationTests.microPreset at 8 px), 150 steps of batch 8 in
/// each run; pose-check: 24 val samples x 4 draws.
@Suite("cn-eval pose-check") struct PoseCheckTests {
    static let size = 8

    /// Writes the corpus into `workdir/shards`; `shuffleTrainPoses` permutes the train split's T
    /// vectors among its samples (the images stay).
    static func writeCorpus(_ workdir: URL, train: Int, val: Int, shuffleTrainPoses: Bool) throws {
        let shards = workdir.appendingPathComponent("shards").path
        try FileManager.default.createDirectory(atPath: shards, withIntermediateDirectories: true)
        var random = SeededRandom(seed: 11)
        var id = 1
        for (split, count) in [("train", train), ("val", val)] {
            var rows: [(target: RGBA8, reference: RGBA8, pose: [Double])] = []
            for _ in 0..<count {
                let az = random.uniform(-Double.pi, Double.pi), polar = random.uniform(-0.6, 0.6)
                let target = RGBA8(UInt8(127 + 120 * sin(az)), UInt8(127 + 120 * cos(az)), UInt8(127 + 200 * polar))
                let reference = RGBA8(UInt8(random.integer(below: 256)), UInt8(random.integer(below: 256)), UInt8(random.integer(below: 256)))
                rows.append((target, reference, [polar, sin(az), cos(az), 0]))
            }
            var poses = rows.map(\.pose)
            if shuffleTrainPoses && split == "train" {
                for i in stride(from: poses.count - 1, to: 0, by: -1) { poses.swapAt(i, random.integer(below: i + 1)) }
            }
            let writer = try TarWriter(path: shards + "/\(split)-000000.tar")
            for (row, pose) in zip(rows, poses) {
                let key = try WebDatasetSample.key(forSampleID: id)
                let target = try PNG.encode(RGBAImage(width: size, height: size, fill: row.target))
                let reference = try PNG.encode(RGBAImage(width: size, height: size, fill: row.reference))
                try writer.append(path: key + ".target.png", bytes: target)
                try writer.append(path: key + ".ref.png", bytes: reference)
                try writer.append(path: key + ".concat.png", bytes: reference)
                try writer.append(path: key + ".txt", bytes: Array("a flat colour".utf8))
                try writer.append(path: key + ".json", bytes: Array("{\"T\":[\(pose.map { "\($0)" }.joined(separator: ","))],\"split\":\"\(split)\"}".utf8))
                id += 1
            }
            _ = try writer.finish()
        }
    }

    /// Trains the 8 px preset on a fresh corpus and runs pose-check on its val split; returns report.json's pose_check.
    static func trainAndCheck(shuffled: Bool) throws -> [String: Any] {
        let work = TestPaths.scratchFolder(shuffled ? "pose-check-shuffled" : "pose-check-true")
        try writeCorpus(work, train: 64, val: 24, shuffleTrainPoses: shuffled)
        let preset = try GenerationEvaluationTests.writePreset(
            work, GenerationEvaluationTests.microPreset.replacingOccurrences(of: "image_size: 12", with: "image_size: \(size)")
                .replacingOccurrences(of: "batch: 4", with: "batch: 8"))
        let run = work.appendingPathComponent("run")
        let train = try ChildProcess.run("cn-train", ["view", "--workdir", work.path, "--config", preset, "--out", run.path,
                                                      "--steps", "150", "--checkpoint-every", "150", "--progress", "never"])
        try #require(train.status == 0, "cn-train failed: \(train.stderr)")
        let out = work.appendingPathComponent("pose-check")
        let check = try ChildProcess.run("cn-eval", ["pose-check", "--checkpoint", run.appendingPathComponent("checkpoints/step-000150.safetensors").path,
                                                     "--workdir", work.path, "--draws", "4", "--out", out.path])
        try #require(check.status == 0, "cn-eval pose-check failed: \(check.stderr)")
        print((shuffled ? "shuffled T: " : "true T: ") + check.stdout)
        for file in ["report.json", "report.csv", "report.html", "grid.png"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) missing")
        }
        let report = try GenerationEvaluationTests.readReport(out)
        let items = try #require(report["items"] as? [[String: Any]])
        #expect(items.count == 24 && items.allSatisfy { $0["loss_recorded"] is Double && $0["loss_shuffled"] is Double && $0["gap"] is Double })
        return try #require(report["pose_check"] as? [String: Any])
    }

    @Test func gapOnTrueTAndNoneOnShuffledT() throws {
        let trained = try Self.trainAndCheck(shuffled: false)
        let gap = try #require(trained["gap"] as? [String: Any])
        let interval = try #require(gap["ci95"] as? [Double])
        #expect(trained["gap_detected"] as? Bool == true, "a model trained with T shows no gap: \(gap)")
        #expect(interval[0] > 0)
        let ignorant = try Self.trainAndCheck(shuffled: true)
        let none = try #require(ignorant["gap"] as? [String: Any])
        let noneInterval = try #require(none["ci95"] as? [Double])
        #expect(ignorant["gap_detected"] as? Bool == false, "a model trained on shuffled T shows a gap: \(none)")
        #expect(noneInterval[0] <= 0 && (none["mean"] as? Double ?? 1) < (gap["mean"] as? Double ?? 0) / 4)
    }

    @Test func derangementHasNoFixedPointAndIsSeeded() {
        for n in [2, 3, 10, 57] {
            let order = PoseCheck.derangement(n, seed: 3)
            #expect(Set(order) == Set(0..<n))
            #expect(zip(order, 0..<n).allSatisfy { $0 != $1 })
            #expect(order == PoseCheck.derangement(n, seed: 3))
        }
    }
}
